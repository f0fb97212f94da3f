package imagetest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Registry serves an empty in-memory registry on 127.0.0.1 for the life of
// the test and returns its host:port.
func Registry(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Push writes img to ref in its registry, with the credentials of the
// default keychain (docker's config.json), and returns ref.
func Push(t testing.TB, ref string, img v1.Image) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	if err := remote.Write(r, img, remote.WithContext(t.Context()), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	return ref
}

// LayerFromTar is a layer (gzip-compressed when stored) with content tar.
func LayerFromTar(tar []byte) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tar)), nil
	})
}

// BusyboxImage is the busybox image: one layer (BusyboxTar), Cmd ["sh"],
// for linux on the host's architecture.
func BusyboxImage() (v1.Image, error) {
	data, err := BusyboxTar()
	if err != nil {
		return nil, err
	}
	layer, err := LayerFromTar(data)
	if err != nil {
		return nil, err
	}
	base, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		Architecture: goruntime.GOARCH,
		OS:           "linux",
		Created:      v1.Time{Time: epoch},
		Config: v1.Config{
			Cmd: []string{"sh"},
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		},
	})
	if err != nil {
		return nil, err
	}
	return mutate.AppendLayers(base, layer)
}

// Busybox pushes the busybox image to registry (host:port) as
// <registry>/busybox:latest and returns that reference.
func Busybox(t testing.TB, registry string) string {
	t.Helper()
	img, err := BusyboxImage()
	if err != nil {
		t.Fatalf("busybox image: %v", err)
	}
	return Push(t, registry+"/busybox:latest", img)
}

// GoImage builds the Go main package in srcDir as a static binary
// (CGO_ENABLED=0), adds it as /usr/local/bin/<name> in a layer on top of
// busybox, with Entrypoint ["/usr/local/bin/<name>"], pushes it as
// <registry>/<name>:latest and returns that reference.
func GoImage(t testing.TB, registry, name, srcDir string) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), name)
	// go test puts its toolchain's bin first in PATH, so "go" is that one.
	build := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", binary, ".")
	build.Dir = srcDir
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", srcDir, err, out)
	}
	img, err := programImage(name, binary)
	if err != nil {
		t.Fatalf("image of %s: %v", name, err)
	}
	return Push(t, registry+"/"+name+":latest", img)
}

func programImage(name, binary string) (v1.Image, error) {
	content, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	data, err := writeTar([]entry{
		{hdr: &tar.Header{Typeflag: tar.TypeDir, Name: "usr/local/", Mode: 0o755}},
		{hdr: &tar.Header{Typeflag: tar.TypeDir, Name: "usr/local/bin/", Mode: 0o755}},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "usr/local/bin/" + name, Mode: 0o755}, content: content},
	})
	if err != nil {
		return nil, err
	}
	layer, err := LayerFromTar(data)
	if err != nil {
		return nil, err
	}
	base, err := BusyboxImage()
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, fmt.Errorf("append layer: %w", err)
	}
	return mutate.Config(img, v1.Config{
		Entrypoint: []string{"/usr/local/bin/" + name},
		Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
	})
}
