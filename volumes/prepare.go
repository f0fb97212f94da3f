package volumes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/types"
)

// ServiceRequest describes one container of a service whose mounts are to
// be prepared.
type ServiceRequest struct {
	Project     *types.Project
	Service     string
	ContainerID string
	// StateDir is the container's state directory; the files of its
	// configs and secrets are written under it.
	StateDir string
	// ImageVolumes are the VOLUME paths of the image's config.
	ImageVolumes []string
	// ImageLayers are the image's layer directories, lowest first (or one
	// merged view): what copy-up copies from. Nil turns copy-up off.
	ImageLayers []string
	// Previous is the container this one replaces on a recreate: its
	// anonymous volumes pass to the new container unless RenewAnonymous
	// (`up -V`).
	Previous       string
	RenewAnonymous bool
	// VolumesFrom finds the mounts of other containers for volumes_from.
	VolumesFrom MountSource
}

// PrepareService makes everything the container's mounts need: host
// directories of short-syntax binds, the project's named volumes,
// anonymous volumes, references that keep those volumes in use, copy-up
// of image content into empty volumes, and the files of configs and
// secrets. It returns the mounts, parents before children, and warnings for
// what it accepted without honouring.
//
// Bad input fails before anything is made. When a later step fails, what
// this call made is undone: references dropped, volumes it created removed
// only if still empty, directories it created removed only if empty.
func (s *Store) PrepareService(ctx context.Context, req ServiceRequest) ([]Mount, []Warning, error) {
	service, ok := req.Project.Services[req.Service]
	if !ok {
		return nil, nil, invalidf("service %q: not in project %q", req.Service, req.Project.Name)
	}
	if err := validateContainerID(req.ContainerID); err != nil {
		return nil, nil, err
	}
	plan, err := planService(req.Project, service, req.ImageVolumes)
	if err != nil {
		return nil, nil, err
	}
	p := preparation{store: s, req: req, plan: &plan}
	mounts, err := p.run(ctx)
	if err != nil {
		return nil, nil, p.undo.run(ctx, fmt.Errorf("prepare service %q: %w", req.Service, err))
	}
	sortMounts(mounts)
	return mounts, plan.warnings, nil
}

// preparation is one PrepareService call in progress.
type preparation struct {
	store *Store
	req   ServiceRequest
	plan  *servicePlan
	undo  undoStack
}

func (p *preparation) run(ctx context.Context) ([]Mount, error) {
	var inherited []Mount
	for _, ref := range p.plan.from {
		mounts, err := inherit(ctx, p.req.VolumesFrom, ref)
		if err != nil {
			return nil, fmt.Errorf("volumes_from: %w", err)
		}
		inherited = append(inherited, mounts...)
	}
	p.plan.dropCoveredImageVolumes(inherited)
	mounts, err := p.binds()
	if err != nil {
		return nil, err
	}
	mounts = append(mounts, p.plan.tmpfs...)
	volumeMounts, jobs, err := p.volumes(ctx)
	if err != nil {
		return nil, err
	}
	mounts = append(mounts, volumeMounts...)
	if err := p.acquireInherited(ctx, inherited); err != nil {
		return nil, err
	}
	fileMounts, err := p.files()
	if err != nil {
		return nil, err
	}
	if err := p.copyUp(ctx, jobs); err != nil {
		return nil, err
	}
	return mergeInherited(append(mounts, fileMounts...), inherited), nil
}

func (p *preparation) binds() ([]Mount, error) {
	var mounts []Mount
	for _, b := range p.plan.binds {
		if b.create {
			top, err := createHostPath(b.mount.Source)
			if err != nil {
				return nil, err
			}
			p.undo.push(func(context.Context) error { return removeEmptyDirs(b.mount.Source, top) })
		}
		mounts = append(mounts, b.mount)
	}
	return mounts, nil
}

// removeEmptyDirs removes dir and its parents up to top, each only if
// empty: rmdir(2) refuses a directory that is not.
func removeEmptyDirs(dir, top string) error {
	for {
		if err := os.Remove(dir); err != nil {
			return nil // not empty any more: somebody's data, keep it
		}
		if dir == top {
			return nil
		}
		dir = filepath.Dir(dir)
	}
}

func (p *preparation) acquireInherited(ctx context.Context, inherited []Mount) error {
	for _, m := range inherited {
		if m.Volume == "" {
			continue
		}
		if err := p.acquire(ctx, m.Volume); err != nil {
			return err
		}
	}
	return nil
}

func (p *preparation) acquire(ctx context.Context, name string) error {
	users, err := p.store.Users(ctx, name)
	if err != nil {
		return err
	}
	if _, err := p.store.Acquire(ctx, name, p.req.ContainerID); err != nil {
		return err
	}
	for _, u := range users {
		if u == p.req.ContainerID {
			return nil // held before this call: not ours to drop
		}
	}
	p.undo.push(func(ctx context.Context) error {
		return ignoreNotFound(p.store.ReleaseVolume(ctx, name, p.req.ContainerID))
	})
	return nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (p *preparation) files() ([]Mount, error) {
	var mounts []Mount
	for i, f := range p.plan.files {
		m, err := f.write(p.req.StateDir, i)
		if err != nil {
			return nil, err
		}
		p.undo.push(func(context.Context) error { return ignoreNotExist(os.Remove(m.Source)) })
		mounts = append(mounts, m)
	}
	return mounts, nil
}
