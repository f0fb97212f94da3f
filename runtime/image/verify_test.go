package image_test

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// corruptingWriter flips one byte of what it writes.
type corruptingWriter struct {
	http.ResponseWriter
	done bool
}

func (w *corruptingWriter) Write(b []byte) (int, error) {
	if !w.done && len(b) > 0 {
		b = append([]byte(nil), b...)
		b[len(b)/2] ^= 0xff
		w.done = true
	}
	return w.ResponseWriter.Write(b)
}

// TestPullDigestMismatch serves a layer whose bytes do not match its
// digest: the pull fails and leaves no blob, layer, temporary or record.
func TestPullDigestMismatch(t *testing.T) {
	t.Parallel()
	img, err := imagetest.BusyboxImage()
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	layer, _ := layers[0].Digest()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+layer.String()) {
			w = &corruptingWriter{ResponseWriter: w}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ref := imagetest.Push(t, strings.TrimPrefix(srv.URL, "http://")+"/busybox:latest", img)
	s := openStore(t)
	_, err = s.Pull(t.Context(), ref, image.PullOptions{})
	if err == nil {
		t.Fatal("pull of a corrupt image succeeded")
	}
	t.Logf("pull: %v", err)
	if !strings.Contains(err.Error(), layer.String()) {
		t.Errorf("error %q does not name the digest", err)
	}
	for _, dir := range []string{"layers", "blobs/sha256", "tmp"} {
		if entries, _ := os.ReadDir(filepath.Join(s.Dir(), dir)); len(entries) != 0 {
			t.Errorf("%s after failed pull: %v", dir, names(entries))
		}
	}
	if list, err := s.List(t.Context()); err != nil || len(list) != 0 {
		t.Errorf("list after failed pull: %v %v", list, err)
	}
}

// TestPullMultiArch pushes an index of two platforms and checks the host's
// is chosen unless another is asked for.
func TestPullMultiArch(t *testing.T) {
	t.Parallel()
	host, err := imagetest.BusyboxImage()
	if err != nil {
		t.Fatal(err)
	}
	otherArch := "s390x"
	if goruntime.GOARCH == otherArch {
		otherArch = "arm64"
	}
	config, err := host.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	config = config.DeepCopy()
	config.Architecture = otherArch
	other, err := mutate.ConfigFile(host, config)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(emptyIndex(),
		mutate.IndexAddendum{Add: other, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: otherArch}}},
		mutate.IndexAddendum{Add: host, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: goruntime.GOARCH}}},
	)
	ref := imagetest.Registry(t) + "/multi:latest"
	r, _ := name.ParseReference(ref)
	if err := remote.WriteIndex(r, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	sum, err := s.Pull(t.Context(), ref, image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idxDigest, _ := idx.Digest()
	hostID, _ := host.ConfigName()
	if sum.ID != hostID.String() || !strings.HasSuffix(sum.RepoDigests[0], "@"+idxDigest.String()) {
		t.Errorf("pulled %+v, want image %s with repo digest of the index %s", sum, hostID, idxDigest)
	}
	sum, err = s.Pull(t.Context(), ref, image.PullOptions{Platform: &v1.Platform{OS: "linux", Architecture: otherArch}})
	otherID, _ := other.ConfigName()
	if err != nil || sum.ID != otherID.String() {
		t.Errorf("pull for %s: %+v %v, want %s", otherArch, sum, err, otherID)
	}
	single := imagetest.Push(t, strings.TrimSuffix(ref, "multi:latest")+"single:latest", host)
	if _, err := s.Pull(t.Context(), single, image.PullOptions{Platform: &v1.Platform{OS: "linux", Architecture: otherArch}}); err == nil {
		t.Errorf("pull of a %s-only image for %s: no error", goruntime.GOARCH, otherArch)
	}
	byDigest := strings.TrimSuffix(ref, ":latest") + "@" + idxDigest.String()
	if _, err := s.Config(t.Context(), byDigest); err != nil {
		t.Errorf("config by repo digest: %v", err)
	}
	if _, err := s.Config(t.Context(), sum.ID[len("sha256:"):][:12]); err != nil {
		t.Errorf("config by short ID: %v", err)
	}
	if _, err := s.Config(t.Context(), "nothere"); !errors.Is(err, image.ErrNotFound) {
		t.Errorf("config of unknown image: %v, want ErrNotFound", err)
	}
}
