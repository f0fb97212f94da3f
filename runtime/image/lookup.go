package image

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// lookup finds the image ref names, trying in docker's order: a reference
// (tag, or digest among the repo digests), then an image ID or a unique
// prefix of one. The error wraps ErrNotFound.
func (idx *index) lookup(ref string) (*record, error) {
	if r, err := ParseReference(ref); err == nil {
		if rec := idx.byReference(r); rec != nil {
			return rec, nil
		}
	}
	rec, err := idx.byID(ref)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, fmt.Errorf("image %s: %w", ref, ErrNotFound)
	}
	return rec, nil
}

func (idx *index) byReference(r name.Reference) *record {
	familiar := FamiliarName(r)
	if id, ok := idx.Refs[familiar]; ok {
		return idx.Images[id]
	}
	if _, ok := r.(name.Digest); !ok {
		return nil
	}
	for _, rec := range idx.Images {
		if slices.Contains(rec.RepoDigests, familiar) {
			return rec
		}
	}
	return nil
}

// byID matches full IDs and prefixes of them ("sha256:" optional);
// an ambiguous prefix is an error, no match a nil record.
func (idx *index) byID(ref string) (*record, error) {
	hex := strings.TrimPrefix(ref, "sha256:")
	if hex == "" || strings.Trim(hex, "0123456789abcdef") != "" {
		return nil, nil
	}
	var found *record
	for id, rec := range idx.Images {
		if !strings.HasPrefix(strings.TrimPrefix(id, "sha256:"), hex) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("image ID prefix %s is ambiguous", ref)
		}
		found = rec
	}
	return found, nil
}

// tags lists the references that name image id, sorted.
func (idx *index) tags(id string) []string {
	var tags []string
	for ref, target := range idx.Refs {
		if target == id {
			tags = append(tags, ref)
		}
	}
	slices.Sort(tags)
	return tags
}
