package image

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
)

// ErrInUse: a container uses the image; it is not removed.
var ErrInUse = errors.New("image is in use by a container")

// ErrConflict: the reference is ambiguous for removal (an ID naming an
// image with several tags) and force was not given.
var ErrConflict = errors.New("image is referenced in multiple repositories")

// InUseFunc reports whether any container uses the image with the given
// ID; the store asks it before deleting, knowing nothing of containers.
type InUseFunc func(id string) bool

// RemoveOptions tune Remove.
type RemoveOptions struct {
	Force bool      // untag every tag of an image named by ID; untag an image in use without deleting it
	InUse InUseFunc // nil: no image is in use
}

// Removed lists what Remove or Prune did, in docker's words.
type Removed struct {
	Untagged []string // references removed
	Deleted  []string // image IDs and layer diff IDs deleted
	Bytes    int64    // space reclaimed
}

// Remove untags ref and, when no tag is left and no container uses it,
// deletes the image and its blobs and layers no other image shares, as
// `docker image rm`. ErrNotFound, ErrInUse, ErrConflict.
func (s *Store) Remove(ctx context.Context, ref string, opts RemoveOptions) (*Removed, error) {
	out := &Removed{}
	var deleted bool
	err := s.update(func(idx *index) error {
		rec, err := idx.lookup(ref)
		if err != nil {
			return err
		}
		untag, err := untagList(idx, rec, ref, opts.Force)
		if err != nil {
			return err
		}
		last := len(untag) == len(idx.tags(rec.ID))
		if last && opts.InUse != nil && opts.InUse(rec.ID) && !opts.Force {
			return fmt.Errorf("remove image %s: %w", ref, ErrInUse)
		}
		for _, t := range untag {
			delete(idx.Refs, t)
			out.Untagged = append(out.Untagged, t)
		}
		if last && (opts.InUse == nil || !opts.InUse(rec.ID)) {
			out.Untagged = append(out.Untagged, rec.RepoDigests...)
			delete(idx.Images, rec.ID)
			out.Deleted = append(out.Deleted, rec.ID)
			deleted = true
		}
		return nil
	})
	if err != nil || !deleted {
		return out, err
	}
	return out, s.collect(ctx, out)
}

// untagList is the tags Remove takes away: ref itself when it is a tag,
// every tag when it names the image by ID or digest (only with force if
// there are several).
func untagList(idx *index, rec *record, ref string, force bool) ([]string, error) {
	if r, err := ParseReference(ref); err == nil {
		if _, isTag := r.(name.Tag); isTag && idx.Refs[FamiliarName(r)] == rec.ID {
			return []string{FamiliarName(r)}, nil
		}
	}
	tags := idx.tags(rec.ID)
	if len(tags) > 1 && !force {
		return nil, fmt.Errorf("remove image %s (must be forced): %w", ref, ErrConflict)
	}
	return tags, nil
}

// PruneOptions tune Prune.
type PruneOptions struct {
	All   bool      // every image no container uses, not only untagged ones
	InUse InUseFunc // nil: no image is in use
}

// Prune deletes untagged images (with All: every image) that no container
// uses, then every blob and layer no image references, as
// `docker image prune`.
func (s *Store) Prune(ctx context.Context, opts PruneOptions) (*Removed, error) {
	out := &Removed{}
	err := s.update(func(idx *index) error {
		for _, id := range sortedIDs(idx) {
			tags := idx.tags(id)
			if (len(tags) > 0 && !opts.All) || (opts.InUse != nil && opts.InUse(id)) {
				continue
			}
			for _, t := range tags {
				delete(idx.Refs, t)
			}
			out.Untagged = append(append(out.Untagged, tags...), idx.Images[id].RepoDigests...)
			out.Deleted = append(out.Deleted, id)
			delete(idx.Images, id)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, s.collect(ctx, out)
}

func sortedIDs(idx *index) []string {
	ids := make([]string, 0, len(idx.Images))
	for id := range idx.Images {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
