package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Save writes the images refs name as one `docker save` archive
// (manifest.json, configs, layers), tagged with the tags given, or with all
// their tags when given by ID. ErrNotFound.
func (s *Store) Save(ctx context.Context, w io.Writer, refs []string) error {
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	images := map[string]v1.Image{} // one value per image: the writer dedups by identity
	toWrite := map[name.Reference]v1.Image{}
	for _, ref := range refs {
		rec, err := idx.lookup(ref)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		if images[rec.ID] == nil {
			if images[rec.ID], err = s.image(rec); err != nil {
				return fmt.Errorf("save %s: %w", ref, err)
			}
		}
		tags, err := saveTags(idx, rec, ref)
		if err != nil {
			return err
		}
		for _, t := range tags {
			toWrite[t] = images[rec.ID]
		}
	}
	if err := tarball.MultiRefWrite(toWrite, w); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return ctx.Err()
}

// saveTags is the tags ref stands for in docker's short form
// ("busybox:latest", as docker save writes them).
func saveTags(idx *index, rec *record, ref string) ([]name.Reference, error) {
	familiar := []string{}
	if r, err := ParseReference(ref); err == nil && idx.Refs[FamiliarName(r)] == rec.ID {
		familiar = append(familiar, FamiliarName(r))
	} else {
		familiar = idx.tags(rec.ID)
	}
	if len(familiar) == 0 {
		return nil, fmt.Errorf("save %s: image %s has no tag to save it under", ref, rec.ID)
	}
	var tags []name.Reference
	for _, f := range familiar {
		tag, err := name.NewTag(ShortName(f))
		if err != nil {
			return nil, fmt.Errorf("save %s: %w", ref, err)
		}
		tags = append(tags, tag)
	}
	return tags, nil
}

// Load stores the images of a `docker save` archive or an OCI image-layout
// archive read from r, with the tags the archive gives them, and returns
// their summaries.
func (s *Store) Load(ctx context.Context, r io.Reader) ([]*Summary, error) {
	tmp, release, err := s.spool(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer release()
	scratch, err := os.MkdirTemp(s.path("tmp"), "load-")
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer os.RemoveAll(scratch)
	images, err := archiveImages(ctx, tmp, scratch)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	var out []*Summary
	for _, li := range images {
		rec, err := s.add(ctx, li.image, li.tags, "", nil)
		if err != nil {
			return out, fmt.Errorf("load: %w", err)
		}
		sum, err := s.summary(ctx, rec.ID)
		if err != nil {
			return out, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// loadedImage is one image of an archive with its familiar tags.
type loadedImage struct {
	image v1.Image
	tags  []string
}

// archiveImages reads the images of a docker save archive (it has a
// manifest.json) or else of an OCI image layout, unpacked into scratch.
func archiveImages(ctx context.Context, path, scratch string) ([]loadedImage, error) {
	opener := func() (io.ReadCloser, error) { return os.Open(path) }
	manifest, err := tarball.LoadManifest(opener)
	if err == nil {
		return dockerArchiveImages(opener, manifest)
	}
	images, ociErr := ociArchiveImages(ctx, path, scratch)
	if ociErr != nil {
		return nil, errors.Join(fmt.Errorf("not a docker save archive: %w", err), ociErr)
	}
	return images, nil
}

func dockerArchiveImages(opener tarball.Opener, manifest tarball.Manifest) ([]loadedImage, error) {
	var out []loadedImage
	for _, desc := range manifest {
		var tag *name.Tag
		var familiar []string
		for _, t := range desc.RepoTags {
			parsed, err := name.NewTag(t)
			if err != nil {
				return nil, fmt.Errorf("archive tag %q: %w", t, err)
			}
			tag = &parsed
			familiar = append(familiar, FamiliarName(parsed))
		}
		img, err := tarball.Image(opener, tag)
		if err != nil {
			return nil, err
		}
		out = append(out, loadedImage{image: img, tags: familiar})
	}
	return out, nil
}
