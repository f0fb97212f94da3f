package image

import (
	"context"
	"fmt"
	"os"
	goruntime "runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Annotations that name an image in an OCI layout's index.json: containerd
// and docker write the full reference in the first, the spec's ref.name
// is often a tag alone.
const (
	containerdNameAnnotation = "io.containerd.image.name"
	refNameAnnotation        = "org.opencontainers.image.ref.name"
)

// ociArchiveImages unpacks an OCI image-layout archive (with Unpack, so a
// hostile archive cannot write outside a temporary directory) and reads
// each image its index.json lists, choosing linux/GOARCH from nested
// indexes. The images read their blobs from dir, lazily.
func ociArchiveImages(ctx context.Context, path, dir string) ([]loadedImage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := Unpack(ctx, f, dir); err != nil {
		return nil, fmt.Errorf("read OCI layout: %w", err)
	}
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("not an OCI image layout: %w", err)
	}
	return ociImages(ii)
}

func ociImages(ii v1.ImageIndex) ([]loadedImage, error) {
	manifest, err := ii.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []loadedImage
	for _, desc := range manifest.Manifests {
		img, err := ociImage(ii, desc)
		if err != nil {
			return nil, fmt.Errorf("OCI layout image %s: %w", desc.Digest, err)
		}
		out = append(out, loadedImage{image: img, tags: ociTags(desc)})
	}
	return out, nil
}

// ociImage is the image desc names, or the linux/GOARCH one of the index
// it names.
func ociImage(ii v1.ImageIndex, desc v1.Descriptor) (v1.Image, error) {
	if !desc.MediaType.IsIndex() {
		return ii.Image(desc.Digest)
	}
	child, err := ii.ImageIndex(desc.Digest)
	if err != nil {
		return nil, err
	}
	manifest, err := child.IndexManifest()
	if err != nil {
		return nil, err
	}
	want := v1.Platform{OS: "linux", Architecture: goruntime.GOARCH}
	for _, m := range manifest.Manifests {
		if m.Platform != nil && m.Platform.Satisfies(want) {
			return child.Image(m.Digest)
		}
	}
	return nil, fmt.Errorf("no image for platform %s", want)
}

// ociTags is the familiar name an index entry's annotations give, if any;
// a ref.name that is a tag alone ("latest") names no repository.
func ociTags(desc v1.Descriptor) []string {
	for _, key := range []string{containerdNameAnnotation, refNameAnnotation} {
		value := desc.Annotations[key]
		if !strings.ContainsAny(value, ":/") {
			continue
		}
		if tag, err := name.NewTag(value); err == nil {
			return []string{FamiliarName(tag)}
		}
	}
	return nil
}
