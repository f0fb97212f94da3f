package image

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// parallelLayers is how many layers of one image are fetched at once, as
// dockerd's default max-concurrent-downloads (3).
const parallelLayers = 3

// add stores img (config, manifest, every layer) and records it, tagged
// with refs (familiar names) and with repoDigest when it came from a
// registry. The shared gc lock keeps removal from deleting what is stored
// here before the index names it.
func (s *Store) add(ctx context.Context, img v1.Image, refs []string, repoDigest string, progress *reporter) (*record, error) {
	unlock, err := s.lock("gc.lock", unix.LOCK_SH)
	if err != nil {
		return nil, err
	}
	defer unlock()
	meta, err := readMetadata(img)
	if err != nil {
		return nil, err
	}
	rec := meta.rec
	if rec.Layers, err = s.addLayers(ctx, img, meta.diffIDs, progress); err != nil {
		return nil, err
	}
	// Config and manifest last: a failed pull leaves no blob behind.
	if err := s.writeBlob(ctx, bytes.NewReader(meta.rawConfig), meta.configDigest); err != nil {
		return nil, fmt.Errorf("store image config: %w", err)
	}
	if err := s.writeBlob(ctx, bytes.NewReader(meta.rawManifest), rec.Manifest); err != nil {
		return nil, fmt.Errorf("store image manifest: %w", err)
	}
	if repoDigest != "" {
		rec.RepoDigests = []string{repoDigest}
	}
	return rec, s.update(func(idx *index) error {
		if old := idx.Images[rec.ID]; old != nil {
			rec.RepoDigests = mergeStrings(old.RepoDigests, rec.RepoDigests)
		}
		idx.Images[rec.ID] = rec
		for _, ref := range refs {
			idx.Refs[ref] = rec.ID
		}
		return nil
	})
}

// metadata is an image's manifest and config, read but not yet stored.
type metadata struct {
	rec                    *record // without layers
	diffIDs                []v1.Hash
	configDigest           v1.Hash
	rawConfig, rawManifest []byte
}

func readMetadata(img v1.Image) (*metadata, error) {
	manifest, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("image manifest: %w", err)
	}
	m := &metadata{configDigest: manifest.Config.Digest}
	if m.rawManifest, err = img.RawManifest(); err != nil {
		return nil, fmt.Errorf("image manifest: %w", err)
	}
	if m.rawConfig, err = img.RawConfigFile(); err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	config, err := v1.ParseConfigFile(bytes.NewReader(m.rawConfig))
	if err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	manifestDigest, _, err := v1.SHA256(bytes.NewReader(m.rawManifest))
	if err != nil {
		return nil, err
	}
	mediaType, _ := img.MediaType()
	m.rec = &record{ID: m.configDigest.String(), Manifest: manifestDigest, MediaType: mediaType, Stored: time.Now().UTC()}
	m.diffIDs = config.RootFS.DiffIDs
	return m, nil
}

// addLayers stores every layer, parallelLayers at a time.
func (s *Store) addLayers(ctx context.Context, img v1.Image, diffIDs []v1.Hash, progress *reporter) ([]layerRecord, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("image layers: %w", err)
	}
	if len(layers) != len(diffIDs) {
		return nil, fmt.Errorf("image has %d layers but its config lists %d diff IDs", len(layers), len(diffIDs))
	}
	for _, l := range layers {
		if d, err := l.Digest(); err == nil {
			progress.send(Event{Layer: shortID(d.Hex), Status: StatusWaiting})
		}
	}
	records := make([]layerRecord, len(layers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelLayers)
	for i, l := range layers {
		g.Go(func() error {
			var err error
			records[i], err = s.addLayer(gctx, l, diffIDs[i], progress)
			return err
		})
	}
	return records, g.Wait()
}

// mergeStrings is a followed by the elements of b not in a.
func mergeStrings(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
