package volumes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Store keeps volumes on disk under <root>/volumes/<name>: the data in
// _data, the metadata in volume.json and one file per container using the
// volume in refs/. Everything is on disk, so a restarted daemon (or a CLI
// verb running beside it) sees the same state.
type Store struct {
	dir string
	// Version is written in the com.docker.compose.version label of the
	// volumes berth creates for a project.
	Version string
}

// record is the on-disk form of a volume: what inspect shows, plus who made
// an anonymous volume and where, so that it can be removed with that
// container or handed to its replacement.
type record struct {
	Volume
	Owner  string `json:",omitempty"`
	Target string `json:",omitempty"`
}

// Open returns the store under root, creating its directory.
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("volume store root %q: %w", root, err)
	}
	dir := filepath.Join(abs, "volumes")
	// 0701 as Docker: no listing of volume names for other users.
	if err := os.MkdirAll(dir, 0o701); err != nil {
		return nil, fmt.Errorf("create volume store %q: %w", dir, err)
	}
	// Mount points are compared with /proc/self/mountinfo, which shows
	// paths with symlinks resolved.
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("volume store %q: %w", root, err)
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(elem ...string) string {
	return filepath.Join(append([]string{s.dir}, elem...)...)
}

// CreateOptions are the arguments of `docker volume create`.
type CreateOptions struct {
	Name       string // empty: a random 64-hex name
	Driver     string // empty or "local"
	DriverOpts map[string]string
	Labels     map[string]string
}

// Create makes a new volume. It returns ErrExists (with the existing
// volume) when the name is taken, ErrInvalid for a bad name or option and
// ErrUnsupported for a driver other than local.
func (s *Store) Create(ctx context.Context, opts CreateOptions) (Volume, error) {
	return s.create(ctx, opts, "", "")
}

func (s *Store) create(ctx context.Context, opts CreateOptions, owner, target string) (Volume, error) {
	rec, err := s.newRecord(opts)
	if err != nil {
		return Volume{}, err
	}
	rec.Owner, rec.Target = owner, target
	unlock, err := s.lock(ctx)
	if err != nil {
		return Volume{}, err
	}
	defer unlock()
	if existing, err := s.load(rec.Name); err == nil {
		return existing.Volume, fmt.Errorf("create volume %q: %w", rec.Name, ErrExists)
	}
	if err := s.materialise(rec); err != nil {
		return Volume{}, fmt.Errorf("create volume %q: %w", rec.Name, err)
	}
	return rec.Volume, nil
}

func (s *Store) newRecord(opts CreateOptions) (record, error) {
	name := opts.Name
	if name == "" {
		var err error
		if name, err = RandomName(); err != nil {
			return record{}, err
		}
	}
	if err := ValidateName(name); err != nil {
		return record{}, err
	}
	if opts.Driver != "" && opts.Driver != DriverLocal {
		return record{}, fmt.Errorf("volume %q: driver %q: %w: berth has only the local driver", name, opts.Driver, ErrUnsupported)
	}
	if _, err := parseDriverOpts(opts.DriverOpts); err != nil {
		return record{}, fmt.Errorf("volume %q: %w", name, err)
	}
	return record{Volume: Volume{
		CreatedAt:  time.Now().Format(time.RFC3339),
		Driver:     DriverLocal,
		Labels:     nilIfEmpty(opts.Labels),
		Mountpoint: s.path(name, "_data"),
		Name:       name,
		Options:    nilIfEmpty(opts.DriverOpts),
		Scope:      "local",
	}}, nil
}

// materialise builds the volume in a hidden directory and renames it into
// place, so a crash never leaves a volume without its metadata.
func (s *Store) materialise(rec record) error {
	tmp, err := os.MkdirTemp(s.dir, ".create-")
	if err != nil {
		return err
	}
	if err := s.fill(tmp, rec); err != nil {
		return errors.Join(err, os.RemoveAll(tmp))
	}
	if err := os.Rename(tmp, s.path(rec.Name)); err != nil {
		return errors.Join(err, os.RemoveAll(tmp))
	}
	return nil
}

func (s *Store) fill(dir string, rec record) error {
	if err := os.Chmod(dir, 0o701); err != nil {
		return err
	}
	for _, sub := range []string{"_data", "refs"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	return writeRecord(dir, rec)
}

func writeRecord(dir string, rec record) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".volume.json")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "volume.json"))
}

func (s *Store) load(name string) (record, error) {
	if ValidateName(name) != nil {
		return record{}, ErrNotFound
	}
	data, err := os.ReadFile(s.path(name, "volume.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return record{}, ErrNotFound
	}
	if err != nil {
		return record{}, err
	}
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return record{}, fmt.Errorf("volume metadata %q: %w", name, err)
	}
	return rec, nil
}

// Get returns the volume called name, or ErrNotFound.
func (s *Store) Get(_ context.Context, name string) (Volume, error) {
	rec, err := s.load(name)
	if err != nil {
		return Volume{}, fmt.Errorf("volume %q: %w", name, err)
	}
	return rec.Volume, nil
}

// List returns every volume, sorted by name.
func (s *Store) List(_ context.Context) ([]Volume, error) {
	recs, err := s.records()
	if err != nil {
		return nil, err
	}
	vols := make([]Volume, 0, len(recs))
	for _, rec := range recs {
		vols = append(vols, rec.Volume)
	}
	return vols, nil
}

func (s *Store) records() ([]record, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var recs []record
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		rec, err := s.load(e.Name())
		if errors.Is(err, ErrNotFound) {
			continue // not a volume: no metadata
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(a, b record) int { return strings.Compare(a.Name, b.Name) })
	return recs, nil
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}
