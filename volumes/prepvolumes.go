package volumes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// copyJob is a copy-up left for the end of a preparation, so that no
// later step can fail after a new volume has been filled (the undo
// removes only empty volumes).
type copyJob struct {
	dir, target string
}

// volumes ensures, and takes a reference to, each named and anonymous
// volume of the plan, and returns their mounts.
func (p *preparation) volumes(ctx context.Context) ([]Mount, []copyJob, error) {
	var mounts []Mount
	var jobs []copyJob
	for _, vp := range p.plan.volumes {
		v, err := p.ensure(ctx, vp)
		if err != nil {
			return nil, nil, err
		}
		if err := p.acquire(ctx, v.Name); err != nil {
			return nil, nil, err
		}
		source, err := volumeSource(v, vp.subpath)
		if err != nil {
			return nil, nil, err
		}
		if !vp.noCopy && vp.subpath == "" && p.req.ImageLayers != nil {
			jobs = append(jobs, copyJob{dir: v.Mountpoint, target: vp.target})
		}
		mounts = append(mounts, Mount{
			Source: source, Destination: vp.target, Type: "bind",
			Options: []string{"rbind", accessOption(vp.readOnly), "rprivate"}, Volume: v.Name,
		})
	}
	return mounts, jobs, nil
}

// volumeSource is the directory to bind: the volume, or the subpath inside
// it, which must exist (as Docker).
func volumeSource(v Volume, subpath string) (string, error) {
	if subpath == "" {
		return v.Mountpoint, nil
	}
	source := filepath.Join(v.Mountpoint, subpath)
	if _, err := os.Stat(source); err != nil {
		return "", fmt.Errorf("volume %q: subpath %q: %w", v.Name, subpath, err)
	}
	return source, nil
}

func (p *preparation) ensure(ctx context.Context, vp volumePlan) (Volume, error) {
	if vp.name == "" {
		return p.anonymous(ctx, vp)
	}
	v, warnings, err := p.store.ensureNamed(ctx, p.req.Project.Name, vp.key, vp.name, vp.config, &p.undo)
	for _, w := range warnings {
		p.plan.warnings = append(p.plan.warnings, Warning{Service: p.req.Service, Key: "volumes." + vp.key, Message: w})
	}
	return v, err
}

// anonymous reuses the container's own anonymous volume at target (a
// repeated preparation, after a daemon restart), takes over the replaced
// container's, or makes a new one.
func (p *preparation) anonymous(ctx context.Context, vp volumePlan) (Volume, error) {
	id, prev, target := p.req.ContainerID, p.req.Previous, vp.target
	if own, found, err := p.store.anonymousAt(id, target); found || err != nil {
		return own.Volume, err
	}
	if prev != "" && !p.req.RenewAnonymous {
		v, found, err := p.store.Adopt(ctx, prev, id, target)
		if err != nil {
			return Volume{}, err
		}
		if found {
			p.undo.push(func(ctx context.Context) error {
				_, _, err := p.store.Adopt(ctx, id, prev, target)
				return err
			})
			return v, nil
		}
	}
	v, err := p.store.CreateAnonymous(ctx, p.req.Project.Name, id, target, vp.labels)
	if err != nil {
		return Volume{}, err
	}
	p.undo.push(func(ctx context.Context) error { return ignoreNotFound(p.store.removeIfEmpty(ctx, v.Name)) })
	return v, nil
}

// copyUp runs the deferred copy-ups.
func (p *preparation) copyUp(ctx context.Context, jobs []copyJob) error {
	for _, j := range jobs {
		if _, err := CopyUp(ctx, j.dir, p.req.ImageLayers, j.target); err != nil {
			return err
		}
	}
	return nil
}
