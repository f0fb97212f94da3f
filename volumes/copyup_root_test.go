package volumes

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/roottest"
)

func TestRootCopyUpKeepsOwnershipAndModes(t *testing.T) {
	roottest.Require(t)
	lower, upper, vol := t.TempDir(), t.TempDir(), t.TempDir()
	writeTree(t, lower, map[string]string{
		"srv/gone": "whited out", "srv/conf/a": "a", "srv/conf/old": "hidden by opaque", "srv/owned": "x",
	})
	writeTree(t, upper, map[string]string{"srv/conf/b": "b", "srv/link": "->owned"})
	mustDo(t, unix.Mknod(filepath.Join(upper, "srv", "gone"), unix.S_IFCHR, 0)) // overlay whiteout
	mustDo(t, unix.Setxattr(filepath.Join(upper, "srv", "conf"), "trusted.overlay.opaque", []byte("y"), 0))
	owned := filepath.Join(lower, "srv", "owned")
	mustDo(t, os.Chown(owned, 1234, 5678))
	mustDo(t, os.Chmod(owned, 0o640))
	mustDo(t, os.Link(owned, filepath.Join(lower, "srv", "hardlink")))
	mustDo(t, unix.Setxattr(owned, "user.note", []byte("kept"), 0))
	mustDo(t, os.Chown(filepath.Join(upper, "srv"), 70, 71))
	mustDo(t, unix.Chmod(filepath.Join(upper, "srv"), 0o2775))
	mustDo(t, unix.Mkfifo(filepath.Join(upper, "srv", "pipe"), 0o600))

	if copied, err := CopyUp(t.Context(), vol, []string{lower, upper}, "/srv"); err != nil || !copied {
		t.Fatalf("CopyUp = %v, %v", copied, err)
	}
	want := []string{"conf", "conf/b", "hardlink", "link", "owned", "pipe"}
	if got := listTree(t, vol); !slices.Equal(got, want) {
		t.Fatalf("volume holds %v, want %v (whiteout and opaque honoured)", got, want)
	}
	assertFile(t, filepath.Join(vol, "owned"), "x", 0o640, 1234, 5678)
	if a, b := statOf(t, filepath.Join(vol, "owned")), statOf(t, filepath.Join(vol, "hardlink")); a.Ino != b.Ino {
		t.Error("hard link copied as two files")
	}
	buf := make([]byte, 16)
	if n, err := unix.Getxattr(filepath.Join(vol, "owned"), "user.note", buf); err != nil || string(buf[:n]) != "kept" {
		t.Errorf("xattr user.note = %q, %v", buf[:n], err)
	}
	if st := statOf(t, vol); st.Uid != 70 || st.Gid != 71 || st.Mode&0o7777 != 0o2775 {
		t.Errorf("volume root %d:%d %o, want the image directory's 70:71 2775", st.Uid, st.Gid, st.Mode&0o7777)
	}
	if st := statOf(t, filepath.Join(vol, "pipe")); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("fifo copied as mode %o", st.Mode)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRootSecretReadableAtTarget(t *testing.T) {
	roottest.Require(t)
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    secrets:
      - source: key
        uid: "1000"
        mode: 0400
secrets:
  key:
    environment: KEY
`, map[string]string{"KEY": "s3cret"})
	mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "key")
	mustDo(t, os.WriteFile(target, nil, 0o644))
	m := findMount(t, mounts, "/run/secrets/key")
	mountAt(t, m, target)
	assertFile(t, target, "s3cret", 0o400, 1000, 0)
	if err := os.WriteFile(target, []byte("changed"), 0o644); err == nil {
		t.Error("wrote through the read-only secret mount")
	}
}
