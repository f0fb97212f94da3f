package image_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

func importBusybox(t *testing.T, s *image.Store, ref string, changes ...string) *image.Summary {
	t.Helper()
	data, err := imagetest.BusyboxTar()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.Import(t.Context(), bytes.NewReader(data), ref, image.ImportOptions{Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestImportChanges(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	importBusybox(t, s, "mybox:1", `CMD ["/bin/sh"]`, "ENV A=1 B=\"two words\"", "ENTRYPOINT /bin/echo hi",
		"WORKDIR /srv", "USER nobody", "EXPOSE 80 53/udp", `VOLUME ["/data"]`, "LABEL org.x=y", "STOPSIGNAL SIGINT")
	cfg, err := s.Config(t.Context(), "mybox:1")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"ref", cfg.Ref, "docker.io/library/mybox:1"},
		{"cmd", cfg.Cmd, []string{"/bin/sh"}},
		{"env", cfg.Env, []string{"A=1", "B=two words"}},
		{"entrypoint", cfg.Entrypoint, []string{"/bin/sh", "-c", "/bin/echo hi"}},
		{"workdir", cfg.WorkingDir, "/srv"},
		{"user", cfg.User, "nobody"},
		{"ports", cfg.ExposedPorts, []string{"53/udp", "80/tcp"}},
		{"volumes", cfg.Volumes, []string{"/data"}},
		{"label", cfg.Labels["org.x"], "y"},
		{"stop signal", cfg.StopSignal, "SIGINT"},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.LowerDirs[0], "bin/busybox")); err != nil {
		t.Error(err)
	}
	if _, err := s.Import(t.Context(), bytes.NewReader(nil), "x", image.ImportOptions{Changes: []string{"RUN true"}}); err == nil {
		t.Error("import with change RUN: no error")
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, _ := b.([]string)
		return slices.Equal(as, bs)
	}
	return a == b
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	src := openStore(t)
	sum := importBusybox(t, src, "mybox:1", `CMD ["/bin/sh"]`)
	var archive bytes.Buffer
	if err := src.Save(t.Context(), &archive, []string{"mybox:1"}); err != nil {
		t.Fatal(err)
	}
	dst := openStore(t)
	loaded, err := dst.Load(t.Context(), bytes.NewReader(archive.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].ID != sum.ID || !slices.Equal(loaded[0].RepoTags, []string{"docker.io/library/mybox:1"}) {
		t.Fatalf("loaded %+v, want %s tagged mybox:1", loaded, sum.ID)
	}
	a, _ := src.Config(t.Context(), "mybox:1")
	b, err := dst.Config(t.Context(), "mybox:1")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(filepath.Dir(a.LowerDirs[0])) != filepath.Base(filepath.Dir(b.LowerDirs[0])) {
		t.Errorf("layers differ: %v vs %v", a.LowerDirs, b.LowerDirs)
	}
}

func TestLoadOCILayout(t *testing.T) {
	t.Parallel()
	img, err := imagetest.BusyboxImage()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, emptyIndex())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": "127.0.0.1:5000/oci/box:v1",
	})); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	loaded, err := s.Load(t.Context(), tarDir(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || !slices.Equal(loaded[0].RepoTags, []string{"127.0.0.1:5000/oci/box:v1"}) {
		t.Fatalf("loaded %+v", loaded)
	}
	if _, err := s.Load(t.Context(), bytes.NewReader([]byte("not an archive"))); err == nil {
		t.Error("load of garbage: no error")
	}
}

func TestRemoveAndPrune(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	one := importBusybox(t, s, "box:1")
	importBusybox(t, s, "box:2", "ENV X=2") // same layer, another image
	inUse := func(id string) bool { return id == one.ID }
	if _, err := s.Remove(t.Context(), "box:1", image.RemoveOptions{InUse: inUse}); !errors.Is(err, image.ErrInUse) {
		t.Fatalf("remove image in use: %v, want ErrInUse", err)
	}
	removed, err := s.Remove(t.Context(), "box:1", image.RemoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed.Untagged, []string{"docker.io/library/box:1"}) || !slices.Equal(removed.Deleted, []string{one.ID}) {
		t.Errorf("removed %+v, want box:1 untagged and only its image deleted (layer shared)", removed)
	}
	if _, err := s.Config(t.Context(), "box:1"); !errors.Is(err, image.ErrNotFound) {
		t.Errorf("config of removed image: %v, want ErrNotFound", err)
	}
	cfg, _ := s.Config(t.Context(), "box:2")
	if _, err := os.Stat(cfg.LowerDirs[0]); err != nil {
		t.Fatalf("shared layer gone: %v", err)
	}
	if pruned, err := s.Prune(t.Context(), image.PruneOptions{}); err != nil || len(pruned.Deleted) != 0 {
		t.Fatalf("prune without -a: %+v %v, want nothing (box:2 is tagged)", pruned, err)
	}
	// Leftovers of a pull and an import that died.
	for _, dir := range []string{"layers/.tmp-deadbeef-1/diff", "tmp/import-1"} {
		if err := os.MkdirAll(filepath.Join(s.Dir(), dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pruned, err := s.Prune(t.Context(), image.PruneOptions{All: true})
	if err != nil || len(pruned.Deleted) != 2 || pruned.Bytes == 0 {
		t.Fatalf("prune -a: %+v %v, want image and layer deleted", pruned, err)
	}
	for _, dir := range []string{"layers", "blobs/sha256", "tmp"} {
		if entries, _ := os.ReadDir(filepath.Join(s.Dir(), dir)); len(entries) != 0 {
			t.Errorf("%s after prune: %v", dir, names(entries))
		}
	}
}
