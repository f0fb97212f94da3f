package image

import (
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// storedImage is an image of the store seen as go-containerregistry's
// image, read from the blob store (for Save).
type storedImage struct {
	store *Store
	rec   *record
}

var _ partial.CompressedImageCore = (*storedImage)(nil)

func (s *Store) image(rec *record) (v1.Image, error) {
	return partial.CompressedToImage(&storedImage{store: s, rec: rec})
}

func (i *storedImage) RawConfigFile() ([]byte, error) { return i.store.rawConfig(i.rec) }

func (i *storedImage) MediaType() (types.MediaType, error) { return i.rec.MediaType, nil }

func (i *storedImage) RawManifest() ([]byte, error) {
	return os.ReadFile(i.store.blobPath(i.rec.Manifest))
}

func (i *storedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	manifest, err := partial.Manifest(i)
	if err != nil {
		return nil, err
	}
	if h == manifest.Config.Digest {
		return &storedBlob{store: i.store, desc: manifest.Config}, nil
	}
	for _, desc := range manifest.Layers {
		if desc.Digest == h {
			return &storedBlob{store: i.store, desc: desc}, nil
		}
	}
	return nil, fmt.Errorf("image %s has no blob %s", i.rec.ID, h)
}

// storedBlob is one blob of the store, described by its manifest entry.
type storedBlob struct {
	store *Store
	desc  v1.Descriptor
}

var _ partial.CompressedLayer = (*storedBlob)(nil)

func (b *storedBlob) Digest() (v1.Hash, error) { return b.desc.Digest, nil }

func (b *storedBlob) Size() (int64, error) { return b.desc.Size, nil }

func (b *storedBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

func (b *storedBlob) Compressed() (io.ReadCloser, error) {
	return os.Open(b.store.blobPath(b.desc.Digest))
}
