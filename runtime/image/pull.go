package image

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	goruntime "runtime"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Errors of Pull; check them with errors.Is.
var (
	// ErrRemoteNotFound: the registry has no such repository, tag or digest.
	ErrRemoteNotFound = errors.New("image not found in registry")
	// ErrUnauthorized: the registry refused the credentials (or their lack).
	ErrUnauthorized = errors.New("access denied by registry")
	// ErrUnreachable: the registry could not be reached at all.
	ErrUnreachable = errors.New("cannot reach registry")
)

// PullOptions tune Pull; the zero value pulls for linux on the host's
// architecture with Docker's credentials and reports nothing.
type PullOptions struct {
	Platform *v1.Platform   // which image of a multi-arch index; nil for linux/GOARCH
	Keychain authn.Keychain // nil for authn.DefaultKeychain (~/.docker/config.json, helpers)
	Progress ProgressFunc   // per-layer events; may be nil
}

// Pull fetches ref (a Docker reference, normalized as docker does) into
// the store, verifying every blob, and tags it when ref names a tag.
func (s *Store) Pull(ctx context.Context, ref string, opts PullOptions) (*Summary, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(opts.keychain()), remote.WithPlatform(opts.platform()))
	if err != nil {
		return nil, remoteError(r, err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("pull %s: platform %s: %w", FamiliarName(r), opts.platform(), err)
	}
	if err := opts.checkPlatform(img); err != nil {
		return nil, fmt.Errorf("pull %s: %w", FamiliarName(r), err)
	}
	var tags []string
	if _, ok := r.(name.Tag); ok {
		tags = []string{FamiliarName(r)}
	}
	repoDigest := repositoryName(r.Context()) + "@" + desc.Digest.String()
	rec, err := s.add(ctx, img, tags, repoDigest, &reporter{fn: opts.Progress})
	if err != nil {
		return nil, remoteError(r, err)
	}
	return s.summary(ctx, rec.ID)
}

func (o PullOptions) keychain() authn.Keychain {
	if o.Keychain != nil {
		return o.Keychain
	}
	return authn.DefaultKeychain
}

// checkPlatform refuses an image for another platform when one was asked
// for explicitly: an index is resolved by platform, but a single image is
// taken as it is, as docker does.
func (o PullOptions) checkPlatform(img v1.Image) error {
	if o.Platform == nil {
		return nil
	}
	config, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("image config: %w", err)
	}
	if got := config.Platform(); got != nil && !got.Satisfies(*o.Platform) {
		return fmt.Errorf("image is for platform %s, not %s", got, o.Platform)
	}
	return nil
}

func (o PullOptions) platform() v1.Platform {
	if o.Platform != nil {
		return *o.Platform
	}
	return v1.Platform{OS: "linux", Architecture: goruntime.GOARCH}
}

// remoteError names the image and the registry in err and classifies it
// as not found, refused or unreachable when it is one of those.
func remoteError(ref name.Reference, err error) error {
	image, registry := FamiliarName(ref), ref.Context().RegistryStr()
	if registry == name.DefaultRegistry {
		registry = "docker.io"
	}
	var terr *transport.Error
	var nerr net.Error
	switch {
	case errors.As(err, &terr) && isNotFound(terr):
		return fmt.Errorf("pull %s: %w %s: %w", image, ErrRemoteNotFound, registry, err)
	case errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden):
		return fmt.Errorf("pull %s: %w %s (log in with docker login?): %w", image, ErrUnauthorized, registry, err)
	case errors.As(err, &nerr):
		return fmt.Errorf("pull %s: %w %s: %w", image, ErrUnreachable, registry, err)
	}
	return fmt.Errorf("pull %s: %w", image, err)
}

func isNotFound(err *transport.Error) bool {
	if err.StatusCode == http.StatusNotFound {
		return true
	}
	for _, d := range err.Errors {
		if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
			return true
		}
	}
	return false
}
