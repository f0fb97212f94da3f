package image_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
)

func openStore(t *testing.T) *image.Store {
	t.Helper()
	s, err := image.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recorder collects pull events.
type recorder struct {
	mu     sync.Mutex
	events []image.Event
}

func (r *recorder) record(e image.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// layers lists the layers events were about, lowest first (Waiting comes
// for every layer in order before any other event).
func (r *recorder) layers() []string {
	var out []string
	for _, e := range r.events {
		if !slices.Contains(out, e.Layer) {
			out = append(out, e.Layer)
		}
	}
	return out
}

func (r *recorder) statuses(layer string) []image.Status {
	var out []image.Status
	for _, e := range r.events {
		if e.Layer == layer && (len(out) == 0 || out[len(out)-1] != e.Status) {
			out = append(out, e.Status)
		}
	}
	return out
}

func TestPullBusybox(t *testing.T) {
	t.Parallel()
	ref := imagetest.Busybox(t, imagetest.Registry(t))
	s := openStore(t)
	var rec recorder
	sum, err := s.Pull(t.Context(), ref, image.PullOptions{Progress: rec.record})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.RepoTags, []string{ref}) || len(sum.RepoDigests) != 1 {
		t.Errorf("tags %v digests %v, want [%s] and one digest", sum.RepoTags, sum.RepoDigests, ref)
	}
	cfg, err := s.Config(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ID != sum.ID || !slices.Equal(cfg.Cmd, []string{"sh"}) || len(cfg.LowerDirs) != 1 {
		t.Fatalf("config %+v", cfg)
	}
	root := cfg.LowerDirs[0]
	if target, err := os.Readlink(filepath.Join(root, "bin/sh")); err != nil || target != "/bin/busybox" {
		t.Errorf("bin/sh -> %q, %v; want /bin/busybox", target, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "tmp")); err != nil || fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("tmp: %v %v, want drwxrwxrwt", fi.Mode(), err)
	}
	passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if err != nil || !strings.Contains(string(passwd), "nobody:x:65534") {
		t.Errorf("etc/passwd %q %v", passwd, err)
	}
	layers := rec.layers()
	want := []image.Status{image.StatusWaiting, image.StatusDownloading, image.StatusExtracting, image.StatusDone}
	if len(layers) != 1 || !slices.Equal(rec.statuses(layers[0]), want) {
		t.Errorf("events %+v, want one layer going %v", rec.events, want)
	}
}

func TestPullSharesLayers(t *testing.T) {
	t.Parallel()
	registry := imagetest.Registry(t)
	busybox := imagetest.Busybox(t, registry)
	hello := imagetest.GoImage(t, registry, "hello", helloSource(t))
	s := openStore(t)
	if _, err := s.Pull(t.Context(), busybox, image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	if _, err := s.Pull(t.Context(), hello, image.PullOptions{Progress: rec.record}); err != nil {
		t.Fatal(err)
	}
	bb, _ := s.Config(t.Context(), busybox)
	hi, err := s.Config(t.Context(), hello)
	if err != nil {
		t.Fatal(err)
	}
	if len(hi.LowerDirs) != 2 || hi.LowerDirs[0] != bb.LowerDirs[0] {
		t.Fatalf("hello lower dirs %v, busybox %v: want busybox's layer shared", hi.LowerDirs, bb.LowerDirs)
	}
	layers := rec.layers()
	if len(layers) != 2 || !slices.Equal(rec.statuses(layers[0]), []image.Status{image.StatusWaiting, image.StatusExists}) {
		t.Errorf("events %+v, want the lower layer %q", rec.events, image.StatusExists)
	}
	if _, err := os.Stat(filepath.Join(hi.LowerDirs[1], "usr/local/bin/hello")); err != nil {
		t.Error(err)
	}
	if !slices.Equal(hi.Entrypoint, []string{"/usr/local/bin/hello"}) {
		t.Errorf("entrypoint %v", hi.Entrypoint)
	}
}

// helloSource writes a tiny Go main package and returns its directory.
func helloSource(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module hello\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(\"hello\") }\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPullConcurrentStores(t *testing.T) {
	t.Parallel()
	ref := imagetest.Busybox(t, imagetest.Registry(t))
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := image.Open(dir)
			if err == nil {
				_, err = s.Pull(t.Context(), ref, image.PullOptions{})
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	layers, _ := os.ReadDir(filepath.Join(dir, "layers"))
	if len(layers) != 1 {
		t.Errorf("layers dir holds %v, want one layer and no temporaries", names(layers))
	}
}

func names(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestPullErrors(t *testing.T) {
	t.Parallel()
	registry := imagetest.Registry(t)
	refused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(refused.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	tests := []struct {
		ref  string
		want error
	}{
		{registry + "/nope:latest", image.ErrRemoteNotFound},
		{strings.TrimPrefix(refused.URL, "http://") + "/private:1", image.ErrUnauthorized},
		{down + "/busybox", image.ErrUnreachable},
	}
	s := openStore(t)
	for _, tt := range tests {
		_, err := s.Pull(t.Context(), tt.ref, image.PullOptions{})
		if !errors.Is(err, tt.want) {
			t.Errorf("pull %s: %v, want %v", tt.ref, err, tt.want)
			continue
		}
		host, _, _ := strings.Cut(tt.ref, "/")
		if !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), tt.ref) {
			t.Errorf("pull %s: %q names neither image nor registry", tt.ref, err)
		}
	}
}
