package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// collect deletes every blob and unpacked layer no image in the index
// references, and the leftovers of interrupted pulls, imports and loads.
// It holds the gc lock exclusively, so no pull or import is between
// storing a layer and recording its image; deleted layers are added to out.
func (s *Store) collect(ctx context.Context, out *Removed) error {
	idx, unlock, err := s.readLocked("gc.lock", unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	blobs, layers := referenced(idx)
	return errors.Join(s.collectBlobs(ctx, blobs, out), s.collectLayers(ctx, layers, out), s.collectTmp())
}

// collectTmp empties tmp/: whatever is there was left by an import or load
// that died, since live ones hold the gc lock shared.
func (s *Store) collectTmp() error {
	entries, err := os.ReadDir(s.path("tmp"))
	if err != nil {
		return fmt.Errorf("collect temporaries: %w", err)
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, os.RemoveAll(s.path("tmp", e.Name())))
	}
	return errors.Join(errs...)
}

// referenced is the set of blob digest hexes and layer diff ID hexes the
// images of idx use.
func referenced(idx *index) (blobs, layers map[string]bool) {
	blobs, layers = map[string]bool{}, map[string]bool{}
	for id, rec := range idx.Images {
		blobs[strings.TrimPrefix(id, "sha256:")] = true
		blobs[rec.Manifest.Hex] = true
		for _, l := range rec.Layers {
			blobs[l.Digest.Hex] = true
			layers[l.DiffID.Hex] = true
		}
	}
	return blobs, layers
}

func (s *Store) collectBlobs(ctx context.Context, keep map[string]bool, out *Removed) error {
	dir := s.path("blobs", "sha256")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("collect blobs: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if keep[e.Name()] || ctx.Err() != nil {
			continue
		}
		if info, err := e.Info(); err == nil {
			out.Bytes += info.Size()
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, fmt.Errorf("delete blob: %w", err))
		}
	}
	return errors.Join(append(errs, ctx.Err())...)
}

// collectLayers renames each unreferenced layer to a temporary name first,
// so a half-deleted tree never looks like a valid layer.
func (s *Store) collectLayers(ctx context.Context, keep map[string]bool, out *Removed) error {
	dir := s.path("layers")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("collect layers: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if keep[e.Name()] || ctx.Err() != nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if !strings.HasPrefix(e.Name(), ".tmp-") {
			size, _ := s.layerSize(v1.Hash{Algorithm: "sha256", Hex: e.Name()})
			out.Bytes += size
			out.Deleted = append(out.Deleted, "sha256:"+e.Name())
			doomed := filepath.Join(dir, ".tmp-deleted-"+e.Name())
			if err := os.Rename(path, doomed); err != nil {
				errs = append(errs, fmt.Errorf("delete layer %s: %w", e.Name(), err))
				continue
			}
			path = doomed
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("delete layer %s: %w", e.Name(), err))
		}
	}
	return errors.Join(append(errs, ctx.Err())...)
}
