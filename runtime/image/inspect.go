package image

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Summary is one image as `docker images` lists it.
type Summary struct {
	ID          string // sha256:<hex of the config digest>
	RepoTags    []string
	RepoDigests []string
	Created     time.Time
	Size        int64 // bytes of the unpacked layers
}

// Inspect is an image as `docker image inspect` shows it, references in
// docker's short form ("busybox:latest").
type Inspect struct {
	ID            string     `json:"Id"`
	RepoTags      []string   `json:"RepoTags"`
	RepoDigests   []string   `json:"RepoDigests"`
	Parent        string     `json:"Parent"`
	Comment       string     `json:"Comment"`
	Created       string     `json:"Created"`
	DockerVersion string     `json:"DockerVersion"`
	Author        string     `json:"Author"`
	Config        *v1.Config `json:"Config"`
	Architecture  string     `json:"Architecture"`
	Variant       string     `json:"Variant,omitempty"`
	Os            string     `json:"Os"`
	Size          int64      `json:"Size"`
	RootFS        RootFS     `json:"RootFS"`
}

// RootFS lists an image's layers by diff ID, lowest first.
type RootFS struct {
	Type   string   `json:"Type"`
	Layers []string `json:"Layers"`
}

// List reports every image in the store, newest first.
func (s *Store) List(ctx context.Context) ([]Summary, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	var list []Summary
	for _, rec := range idx.Images {
		config, err := s.configFile(rec)
		if err != nil {
			return nil, err
		}
		list = append(list, summarize(idx, rec, config))
	}
	slices.SortFunc(list, func(a, b Summary) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.ID, b.ID))
	})
	return list, nil
}

// Inspect reports the image ref names (reference or ID). ErrNotFound.
func (s *Store) Inspect(ctx context.Context, ref string) (*Inspect, error) {
	idx, rec, config, err := s.find(ref)
	if err != nil {
		return nil, err
	}
	sum := summarize(idx, rec, config)
	out := &Inspect{
		ID: rec.ID, RepoTags: shortNames(sum.RepoTags), RepoDigests: shortNames(sum.RepoDigests),
		Created: config.Created.UTC().Format(time.RFC3339Nano),
		Author:  config.Author, Config: &config.Config, Architecture: config.Architecture,
		Variant: config.Variant, Os: config.OS, Size: sum.Size, RootFS: RootFS{Type: "layers"},
	}
	for _, l := range rec.Layers {
		out.RootFS.Layers = append(out.RootFS.Layers, l.DiffID.String())
	}
	if len(config.History) > 0 {
		out.Comment = config.History[len(config.History)-1].Comment
	}
	return out, nil
}

func shortNames(refs []string) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = ShortName(r)
	}
	return out
}

func (s *Store) summary(_ context.Context, id string) (*Summary, error) {
	idx, rec, config, err := s.find(id)
	if err != nil {
		return nil, err
	}
	sum := summarize(idx, rec, config)
	return &sum, nil
}

// find looks ref up in the current index and reads the image's config.
func (s *Store) find(ref string) (*index, *record, *v1.ConfigFile, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, nil, nil, err
	}
	rec, err := idx.lookup(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	config, err := s.configFile(rec)
	return idx, rec, config, err
}

func summarize(idx *index, rec *record, config *v1.ConfigFile) Summary {
	sum := Summary{ID: rec.ID, RepoTags: idx.tags(rec.ID), RepoDigests: rec.RepoDigests, Created: config.Created.Time}
	for _, l := range rec.Layers {
		sum.Size += l.Size
	}
	if sum.RepoTags == nil {
		sum.RepoTags = []string{}
	}
	if sum.RepoDigests == nil {
		sum.RepoDigests = []string{}
	}
	return sum
}

func (s *Store) configFile(rec *record) (*v1.ConfigFile, error) {
	raw, err := s.rawConfig(rec)
	if err != nil {
		return nil, err
	}
	config, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("image %s config: %w", rec.ID, err)
	}
	return config, nil
}

func (s *Store) rawConfig(rec *record) ([]byte, error) {
	h, err := v1.NewHash(rec.ID)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", rec.ID, err)
	}
	raw, err := os.ReadFile(s.blobPath(h))
	if err != nil {
		return nil, fmt.Errorf("image %s config: %w", rec.ID, err)
	}
	return raw, nil
}

// healthStartInterval reads Healthcheck.StartInterval, which
// go-containerregistry's config type does not carry.
func healthStartInterval(raw []byte) time.Duration {
	var cfg struct {
		Config struct {
			Healthcheck struct{ StartInterval time.Duration }
		} `json:"config"`
	}
	_ = json.Unmarshal(raw, &cfg) // already parsed once; absent is zero
	return cfg.Config.Healthcheck.StartInterval
}
