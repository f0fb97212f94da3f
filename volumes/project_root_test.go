package volumes

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/internal/roottest"
)

// TestRootDataSurvivesDownAndUp: `down` keeps named volumes (and the data a
// container wrote through its mount), a new `up` sees the data and does not
// copy the image over it, `down -v` removes named and anonymous volumes but
// never external ones.
func TestRootDataSurvivesDownAndUp(t *testing.T) {
	roottest.Require(t)
	ctx := t.Context()
	s := openStore(t)
	image := t.TempDir()
	writeTree(t, image, map[string]string{"var/lib/db/seed": "from image"})
	p := loadProject(t, `
services:
  db:
    image: busybox
    volumes: [data:/var/lib/db, /tmp/anon, ext:/ext]
volumes:
  data: {}
  ext: {external: true}
`, nil)
	mustCreate(t, s, CreateOptions{Name: "ext"})
	up := func(id string) []Mount {
		t.Helper()
		mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "db", ContainerID: id, ImageLayers: []string{image}})
		if err != nil {
			t.Fatal(err)
		}
		return mounts
	}
	first := up("c1")
	dir := t.TempDir()
	mountAt(t, findMount(t, first, "/var/lib/db"), dir)
	if data, err := os.ReadFile(filepath.Join(dir, "seed")); err != nil || string(data) != "from image" {
		t.Fatalf("copy-up into the new volume: %q, %v", data, err)
	}
	mustDo(t, os.WriteFile(filepath.Join(dir, "row"), []byte("42"), 0o644))
	mustDo(t, os.Remove(filepath.Join(dir, "seed")))
	mustDo(t, s.ReleaseContainer(ctx, "c1", true)) // down

	second := up("c2")
	data := findMount(t, second, "/var/lib/db").Source
	if got := listTree(t, data); len(got) != 1 || got[0] != "row" {
		t.Fatalf("after down and up the volume holds %v, want only the written row", got)
	}
	// down -v: c2's anonymous volume goes with it, the project's volumes
	// and the anonymous volume c1 left behind go next.
	mustDo(t, s.ReleaseContainer(ctx, "c2", false))
	removed, err := s.RemoveProjectVolumes(ctx, p, true)
	if err != nil || len(removed) != 2 {
		t.Fatalf("down -v removed %v, %v; want demo_data and c1's anonymous volume", removed, err)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("volume data still there after down -v: %v", err)
	}
	assertVolumes(t, s, "ext")
}
