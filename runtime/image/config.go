package image

import (
	"context"
	"maps"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/runtime"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Config is what the image ref names brings to a container, with its
// unpacked layers as overlay lower dirs, lowest first. ErrNotFound.
func (s *Store) Config(ctx context.Context, ref string) (runtime.ImageConfig, error) {
	idx, rec, config, err := s.find(ref)
	if err != nil {
		return runtime.ImageConfig{}, err
	}
	c := config.Config
	out := runtime.ImageConfig{
		Ref:          idx.displayRef(ref, rec),
		ID:           rec.ID,
		Entrypoint:   c.Entrypoint,
		Cmd:          c.Cmd,
		Env:          c.Env,
		WorkingDir:   c.WorkingDir,
		User:         c.User,
		Volumes:      slices.Sorted(maps.Keys(c.Volumes)),
		ExposedPorts: slices.Sorted(maps.Keys(c.ExposedPorts)),
		StopSignal:   c.StopSignal,
		Labels:       c.Labels,
		Healthcheck:  s.healthcheck(rec, c.Healthcheck),
	}
	for _, l := range rec.Layers {
		out.LowerDirs = append(out.LowerDirs, s.LowerDir(l.DiffID))
	}
	return out, nil
}

// LowerDir is where the layer with diffID is unpacked.
func (s *Store) LowerDir(diffID v1.Hash) string {
	return filepath.Join(s.layerPath(diffID), "diff")
}

// displayRef is ref normalized when it named rec as a reference, else
// (an ID) the image's first tag or its ID.
func (idx *index) displayRef(ref string, rec *record) string {
	if r, err := ParseReference(ref); err == nil && idx.byReference(r) == rec {
		return FamiliarName(r)
	}
	if tags := idx.tags(rec.ID); len(tags) > 0 {
		return tags[0]
	}
	return rec.ID
}

func (s *Store) healthcheck(rec *record, h *v1.HealthConfig) *runtime.ImageHealthcheck {
	if h == nil {
		return nil
	}
	out := &runtime.ImageHealthcheck{
		Test:        h.Test,
		Interval:    h.Interval,
		Timeout:     h.Timeout,
		StartPeriod: h.StartPeriod,
		Retries:     h.Retries,
	}
	if raw, err := s.rawConfig(rec); err == nil {
		out.StartInterval = healthStartInterval(raw)
	}
	return out
}
