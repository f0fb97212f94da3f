package image

import (
	"context"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"
)

// ImportOptions tune Import, as `docker import`'s flags.
type ImportOptions struct {
	Changes []string // Dockerfile instructions applied to the config (--change)
	Message string   // commit message recorded in the history (--message)
}

// Import makes a one-layer image of the root file system tarball r
// (plain, gzip or zstd), configured by opts.Changes, and tags it ref when
// ref is not empty, as `docker import`.
func (s *Store) Import(ctx context.Context, r io.Reader, ref string, opts ImportOptions) (*Summary, error) {
	var tags []string
	if ref != "" {
		named, err := ParseReference(ref)
		if err != nil {
			return nil, err
		}
		tags = []string{FamiliarName(named)}
	}
	config, err := importConfig(opts)
	if err != nil {
		return nil, err
	}
	tmp, release, err := s.spool(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer release()
	img, err := importImage(tmp, config, opts.Message)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	rec, err := s.add(ctx, img, tags, "", nil)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return s.summary(ctx, rec.ID)
}

func importConfig(opts ImportOptions) (*v1.ConfigFile, error) {
	config := &v1.ConfigFile{
		Architecture: goruntime.GOARCH,
		OS:           "linux",
		Created:      v1.Time{Time: time.Now().UTC()},
	}
	for _, change := range opts.Changes {
		if err := ApplyChange(&config.Config, change); err != nil {
			return nil, err
		}
	}
	return config, nil
}

// spool writes r, decompressed, to a temporary file in tmp/ (so that it
// can be read more than once) and returns its path and the release that
// removes it. Until released it holds the gc lock shared, which keeps
// collect off tmp/.
func (s *Store) spool(ctx context.Context, r io.Reader) (string, func(), error) {
	unlock, err := s.lock("gc.lock", unix.LOCK_SH)
	if err != nil {
		return "", nil, err
	}
	path, err := s.spoolTar(ctx, r)
	if err != nil {
		unlock()
		return "", nil, err
	}
	return path, func() { os.Remove(path); unlock() }, nil
}

func (s *Store) spoolTar(ctx context.Context, r io.Reader) (string, error) {
	plain, err := decompress(r)
	if err != nil {
		return "", err
	}
	defer plain.Close()
	f, err := os.CreateTemp(s.path("tmp"), "import-")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, contextReader{ctx, plain})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func importImage(tarPath string, config *v1.ConfigFile, message string) (v1.Image, error) {
	layer, err := tarball.LayerFromFile(tarPath)
	if err != nil {
		return nil, err
	}
	base, err := mutate.ConfigFile(empty.Image, config)
	if err != nil {
		return nil, err
	}
	comment := "Imported from -"
	if message != "" {
		comment = message
	}
	return mutate.Append(base, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: config.Created, Comment: comment},
	})
}
