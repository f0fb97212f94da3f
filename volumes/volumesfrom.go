package volumes

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// VolumesFrom is one entry of a service's volumes_from: another service
// (its first container) or a container, and whether to force read-only.
type VolumesFrom struct {
	Service   string
	Container string
	ReadOnly  bool
}

// MountSource finds the mounts of another container for volumes_from;
// the scheduler implements it.
type MountSource interface {
	// Mounts returns the mounts of ref's container: the first container of
	// ref.Service, or the container named ref.Container. It returns an
	// error wrapping ErrNotFound when there is no such container.
	Mounts(ctx context.Context, ref VolumesFrom) ([]Mount, error)
}

// parseVolumesFrom reads "service[:ro|:rw]" or
// "container:name[:ro|:rw]".
func parseVolumesFrom(spec string) (VolumesFrom, error) {
	var ref VolumesFrom
	var rest string
	if name, ok := strings.CutPrefix(spec, "container:"); ok {
		ref.Container, rest = name, ""
		if i := strings.LastIndex(name, ":"); i >= 0 {
			ref.Container, rest = name[:i], name[i:]
		}
	} else {
		ref.Service, rest, _ = strings.Cut(spec, ":")
		if rest != "" {
			rest = ":" + rest
		}
	}
	switch rest {
	case "", ":rw":
	case ":ro":
		ref.ReadOnly = true
	default:
		return VolumesFrom{}, invalidf("volumes_from %q: access mode must be ro or rw", spec)
	}
	if ref.Service == "" && ref.Container == "" {
		return VolumesFrom{}, invalidf("volumes_from %q: no service or container", spec)
	}
	return ref, nil
}

// inherit fetches the mounts ref shares: binds and volumes, not tmpfs,
// which belongs to one container alone, as Docker.
func inherit(ctx context.Context, src MountSource, ref VolumesFrom) ([]Mount, error) {
	if src == nil {
		return nil, fmt.Errorf("volumes_from: %w: no source of other containers' mounts", ErrUnsupported)
	}
	mounts, err := src.Mounts(ctx, ref)
	if err != nil {
		return nil, err
	}
	var out []Mount
	for _, m := range mounts {
		if m.Type == "tmpfs" {
			continue
		}
		m.Options = slices.Clone(m.Options)
		if ref.ReadOnly {
			m.Options = slices.DeleteFunc(m.Options, func(o string) bool { return o == "rw" || o == "ro" })
			m.Options = append(m.Options, "ro")
		}
		out = append(out, m)
	}
	return out, nil
}
