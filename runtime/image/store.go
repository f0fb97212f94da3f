// Package image is berth's image store: it pulls images from registries
// (go-containerregistry, Docker's credentials), imports and loads them from
// tarballs, and keeps them on disk below one directory:
//
//	blobs/sha256/<hex>   manifests, configs and compressed layers, once each
//	layers/<hex>/diff    each layer unpacked once, by diff ID, shared
//	                     read-only as an overlay lower dir by every container
//	index.json           references and image records, replaced atomically
//	tmp/                 archives being imported or loaded
//
// Several processes may use one store at once: index.json is rewritten
// under an exclusive flock(2) on index.lock, and whatever writes blobs or
// layers holds a shared flock on gc.lock that removal takes exclusively, so
// garbage collection never deletes a layer a pull is about to record.
package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sys/unix"
)

// ErrNotFound: no local image matches the reference or ID.
var ErrNotFound = errors.New("no such image")

// Store is an image store rooted at one directory. Its methods are safe for
// concurrent use, also by several processes.
type Store struct {
	dir string
}

// record is what the index keeps about one image, keyed by its ID.
type record struct {
	ID          string          `json:"id"` // "sha256:" + config digest hex
	Manifest    v1.Hash         `json:"manifest"`
	MediaType   types.MediaType `json:"mediaType"`
	RepoDigests []string        `json:"repoDigests,omitempty"`
	Layers      []layerRecord   `json:"layers"`
	Stored      time.Time       `json:"stored"`
}

// layerRecord names one layer by its blob digest and its diff ID (the
// digest of the uncompressed tar, which names its unpacked directory).
type layerRecord struct {
	Digest v1.Hash `json:"digest"`
	DiffID v1.Hash `json:"diffID"`
	Size   int64   `json:"size"` // bytes of the uncompressed tar
}

// index is the content of index.json.
type index struct {
	Refs   map[string]string  `json:"refs"`   // familiar name -> image ID
	Images map[string]*record `json:"images"` // image ID -> record
}

// Open opens (creating if needed) the store rooted at dir.
func Open(dir string) (*Store, error) {
	s := &Store{dir: dir}
	for _, d := range []string{s.path("blobs", "sha256"), s.path("layers"), s.path("tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open image store: %w", err)
		}
	}
	return s, nil
}

// Dir is the directory the store is rooted at.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(elem ...string) string {
	return filepath.Join(append([]string{s.dir}, elem...)...)
}

func (s *Store) blobPath(h v1.Hash) string { return s.path("blobs", h.Algorithm, h.Hex) }

func (s *Store) layerPath(diffID v1.Hash) string { return s.path("layers", diffID.Hex) }

// lock takes flock(2) on the named lock file (LOCK_SH or LOCK_EX) and
// returns its release. The lock belongs to the open file description, so it
// excludes other goroutines of this process as well as other processes.
func (s *Store) lock(file string, how int) (func(), error) {
	f, err := os.OpenFile(s.path(file), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", file, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", file, err)
	}
	return func() { f.Close() }, nil
}

// readIndex reads index.json; it is always replaced by rename(2), so a
// reader without the lock sees one whole version.
func (s *Store) readIndex() (*index, error) {
	idx := &index{Refs: map[string]string{}, Images: map[string]*record{}}
	data, err := os.ReadFile(s.path("index.json"))
	if errors.Is(err, os.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read image index: %w", err)
	}
	if err := json.Unmarshal(data, idx); err != nil {
		return nil, fmt.Errorf("parse image index: %w", err)
	}
	return idx, nil
}

// readLocked takes the lock (see lock), then reads the index; the caller
// releases the lock.
func (s *Store) readLocked(file string, how int) (*index, func(), error) {
	unlock, err := s.lock(file, how)
	if err != nil {
		return nil, nil, err
	}
	idx, err := s.readIndex()
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return idx, unlock, nil
}

// update applies fn to the index under the index lock and writes the result
// back atomically; nothing is written when fn fails.
func (s *Store) update(fn func(*index) error) error {
	idx, unlock, err := s.readLocked("index.lock", unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	if err := fn(idx); err != nil {
		return err
	}
	data, err := json.MarshalIndent(idx, "", "\t")
	if err != nil {
		return fmt.Errorf("encode image index: %w", err)
	}
	return writeFileAtomic(s.path("index.json"), data)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it over path (rename(2) replaces atomically).
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
