package volumes

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
)

// ensureNamed returns the project volume called name, creating it unless
// it is external; a volume it creates gets an undo on u. Warnings say when
// an existing volume was not made for this project.
func (s *Store) ensureNamed(ctx context.Context, project, key, name string, config types.VolumeConfig, u *undoStack) (Volume, []string, error) {
	v, err := s.Get(ctx, name)
	if err == nil {
		return v, existingWarnings(v, project, key, config), nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Volume{}, nil, err
	}
	if config.External {
		return Volume{}, nil, fmt.Errorf("external volume %q not found: %w: create it with `berth volume create %s`", name, ErrNotFound, name)
	}
	v, err = s.Create(ctx, CreateOptions{Name: name, Driver: config.Driver, DriverOpts: config.DriverOpts, Labels: s.projectLabels(project, key, config)})
	if errors.Is(err, ErrExists) {
		return v, nil, nil // made meanwhile by another container of the project
	}
	if err != nil {
		return Volume{}, nil, fmt.Errorf("volume %q: %w", key, err)
	}
	u.push(func(ctx context.Context) error { return ignoreNotFound(s.removeIfEmpty(ctx, name)) })
	return v, nil, nil
}

// projectLabels are the labels of a project volume: the user's, then
// Docker Compose's own.
func (s *Store) projectLabels(project, key string, config types.VolumeConfig) map[string]string {
	labels := map[string]string{}
	maps.Copy(labels, config.Labels)
	maps.Copy(labels, config.CustomLabels)
	labels[LabelProject] = project
	labels[LabelVolume] = key
	labels[LabelVersion] = s.Version
	return labels
}

// existingWarnings: Docker Compose warns when a non-external volume of the
// project already exists but was made by something else; berth also says
// when its driver options no longer match the compose file, since an
// existing volume is used as it is.
func existingWarnings(v Volume, project, key string, config types.VolumeConfig) []string {
	if config.External {
		return nil
	}
	var out []string
	switch owner, ok := v.Labels[LabelProject]; {
	case !ok:
		out = append(out, fmt.Sprintf("volume %q already exists but was not created by berth or Docker Compose: use `external: true` to use an existing volume", v.Name))
	case owner != project || v.Labels[LabelVolume] != key:
		out = append(out, fmt.Sprintf("volume %q already exists but was created for project %q: use `external: true` to use an existing volume", v.Name, owner))
	}
	if !maps.Equal(v.Options, map[string]string(config.DriverOpts)) && len(v.Options)+len(config.DriverOpts) > 0 {
		out = append(out, fmt.Sprintf("volume %q exists with other driver_opts than the compose file's: remove it (down -v) to apply them", v.Name))
	}
	return out
}

// EnsureProjectVolumes makes every volume the project declares, as `up`
// does before starting containers, and checks that external ones exist.
// On failure the volumes this call made are removed again if still empty.
func (s *Store) EnsureProjectVolumes(ctx context.Context, p *types.Project) ([]Warning, error) {
	var u undoStack
	var warnings []Warning
	for _, key := range sortedKeys(p.Volumes) {
		config := p.Volumes[key]
		name := projectVolumeName(p, key, config)
		if err := ValidateName(name); err != nil {
			return nil, u.run(ctx, fmt.Errorf("volume %q: %w", key, err))
		}
		_, notes, err := s.ensureNamed(ctx, p.Name, key, name, config, &u)
		if err != nil {
			return nil, u.run(ctx, err)
		}
		for _, n := range notes {
			warnings = append(warnings, Warning{Key: "volumes." + key, Message: n})
		}
	}
	return warnings, nil
}

// RemoveProjectVolumes is `down -v`: it removes the project's named
// volumes, and with includeAnonymous the anonymous volumes its containers
// left, and returns the names removed. External volumes, and volumes
// that carry another project's label or none, are never touched; a
// volume still in use is an ErrInUse error, joined with the others.
func (s *Store) RemoveProjectVolumes(ctx context.Context, p *types.Project, includeAnonymous bool) ([]string, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	recs, err := s.records()
	if err != nil {
		return nil, err
	}
	names := s.declaredNames(p)
	var removed []string
	var errs []error
	for _, rec := range recs {
		ours := rec.Labels[LabelProject] == p.Name
		wanted := names[rec.Name] || (includeAnonymous && rec.Anonymous())
		if !ours || !wanted {
			continue
		}
		if err := s.removeLocked(rec.Name, func(record) bool { return true }); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, rec.Name)
	}
	return removed, errors.Join(errs...)
}

// declaredNames are the names of the project's own, non-external volumes.
func (s *Store) declaredNames(p *types.Project) map[string]bool {
	names := map[string]bool{}
	for key, config := range p.Volumes {
		if !config.External {
			names[projectVolumeName(p, key, config)] = true
		}
	}
	return names
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}
