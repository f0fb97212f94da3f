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
	rec, diffIDs, err := s.addMetadata(ctx, img)
	if err != nil {
		return nil, err
	}
	if rec.Layers, err = s.addLayers(ctx, img, diffIDs, progress); err != nil {
		return nil, err
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

// addMetadata stores img's config and manifest blobs, verified, and
// returns the image's record (without layers) and its diff IDs.
func (s *Store) addMetadata(ctx context.Context, img v1.Image) (*record, []v1.Hash, error) {
	manifest, err := img.Manifest()
	if err != nil {
		return nil, nil, fmt.Errorf("image manifest: %w", err)
	}
	rawManifest, err := img.RawManifest()
	if err != nil {
		return nil, nil, fmt.Errorf("image manifest: %w", err)
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return nil, nil, fmt.Errorf("image config: %w", err)
	}
	config, err := v1.ParseConfigFile(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, nil, fmt.Errorf("image config: %w", err)
	}
	manifestDigest, _, err := v1.SHA256(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, nil, err
	}
	if err := s.writeBlob(ctx, bytes.NewReader(rawConfig), manifest.Config.Digest); err != nil {
		return nil, nil, fmt.Errorf("store image config: %w", err)
	}
	if err := s.writeBlob(ctx, bytes.NewReader(rawManifest), manifestDigest); err != nil {
		return nil, nil, fmt.Errorf("store image manifest: %w", err)
	}
	mediaType, _ := img.MediaType()
	rec := &record{ID: manifest.Config.Digest.String(), Manifest: manifestDigest, MediaType: mediaType, Stored: time.Now().UTC()}
	return rec, config.RootFS.DiffIDs, nil
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
