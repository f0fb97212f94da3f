package image_test

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/roottest"
	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sys/unix"
)

var mtime = time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC)

// privilegedLayer is a tar with what only root can unpack: device nodes,
// ownership, set-user-ID, trusted xattrs, whiteouts and an opaque dir.
func privilegedLayer(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "dev/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "dev/null", Typeflag: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3},
		{Name: "dev/fifo", Typeflag: tar.TypeFifo, Mode: 0o600},
		{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "bin/suid", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 1000, Gid: 1000,
			PAXRecords: map[string]string{"SCHILY.xattr.trusted.berth": "t", "SCHILY.xattr.user.berth": "u"}},
		{Name: "bin/.wh.sh", Typeflag: tar.TypeReg},
		{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 0, Gid: 65534},
		{Name: "etc/.wh..wh..opq", Typeflag: tar.TypeReg},
		{Name: "etc/only", Typeflag: tar.TypeReg, Mode: 0o644},
	} {
		h.ModTime = mtime
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRootPullPrivileged pulls busybox plus a privileged layer through the
// registry, checks the unpacked metadata, then mounts the layers with
// overlayfs to show whiteouts and opaque dirs hide busybox's files.
func TestRootPullPrivileged(t *testing.T) {
	roottest.Require(t)
	base, err := imagetest.BusyboxImage()
	if err != nil {
		t.Fatal(err)
	}
	layer, err := imagetest.LayerFromTar(privilegedLayer(t))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		t.Fatal(err)
	}
	ref := imagetest.Push(t, imagetest.Registry(t)+"/priv:latest", img)
	s := openStore(t)
	if _, err := s.Pull(t.Context(), ref, image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Config(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	checkPrivileged(t, cfg.LowerDirs[1])
	checkBusyboxOwnership(t, cfg.LowerDirs[0])
	merged := mountOverlay(t, cfg.LowerDirs)
	if _, err := os.Lstat(filepath.Join(merged, "bin/sh")); !os.IsNotExist(err) {
		t.Errorf("bin/sh through overlay: %v, want whited out", err)
	}
	if _, err := os.Lstat(filepath.Join(merged, "bin/busybox")); err != nil {
		t.Errorf("bin/busybox through overlay: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(merged, "etc"))
	if len(entries) != 1 || entries[0].Name() != "only" {
		t.Errorf("opaque etc through overlay holds %v, want only", names(entries))
	}
}

func checkPrivileged(t *testing.T, dir string) {
	t.Helper()
	var st unix.Stat_t
	expect := func(rel string, mode uint32, rdev uint64, uid uint32) {
		if err := unix.Lstat(filepath.Join(dir, rel), &st); err != nil {
			t.Errorf("%s: %v", rel, err)
			return
		}
		if st.Mode != mode || st.Rdev != rdev || st.Uid != uid {
			t.Errorf("%s: mode %o rdev %d uid %d, want %o %d %d", rel, st.Mode, st.Rdev, st.Uid, mode, rdev, uid)
		}
	}
	expect("dev/null", unix.S_IFCHR|0o666, unix.Mkdev(1, 3), 0)
	expect("dev/fifo", unix.S_IFIFO|0o600, 0, 0)
	expect("bin/suid", unix.S_IFREG|0o4755, 0, 1000)
	expect("bin/sh", unix.S_IFCHR, 0, 0) // whiteout
	expect("etc", unix.S_IFDIR|0o750, 0, 0)
	if st.Gid != 65534 || time.Unix(st.Mtim.Unix()).UTC() != mtime {
		t.Errorf("etc: gid %d mtime %v, want 65534 %v", st.Gid, time.Unix(st.Mtim.Unix()), mtime)
	}
	for attr, want := range map[string]string{"trusted.berth": "t", "user.berth": "u"} {
		if got, err := xattr(filepath.Join(dir, "bin/suid"), attr); err != nil || got != want {
			t.Errorf("bin/suid xattr %s = %q %v, want %q", attr, got, err, want)
		}
	}
	if got, err := xattr(filepath.Join(dir, "etc"), "trusted.overlay.opaque"); err != nil || got != "y" {
		t.Errorf("etc opaque xattr %q %v, want y", got, err)
	}
}

func xattr(path, attr string) (string, error) {
	buf := make([]byte, 64)
	n, err := unix.Lgetxattr(path, attr, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func checkBusyboxOwnership(t *testing.T, dir string) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "tmp"), &st); err != nil || st.Mode != unix.S_IFDIR|0o1777 || st.Uid != 0 {
		t.Errorf("busybox tmp: mode %o uid %d %v", st.Mode, st.Uid, err)
	}
}

// mountOverlay mounts layers (lowest first) read-only and returns the
// mount point, unmounted at cleanup.
func mountOverlay(t *testing.T, layers []string) string {
	t.Helper()
	lower := make([]string, len(layers))
	for i, l := range layers {
		lower[len(layers)-1-i] = l // overlayfs lists the top layer first
	}
	merged := t.TempDir()
	if err := unix.Mount("overlay", merged, "overlay", unix.MS_RDONLY, "lowerdir="+strings.Join(lower, ":")); err != nil {
		t.Fatalf("mount overlay: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(merged, 0); err != nil {
			t.Errorf("unmount overlay: %v", err)
		}
	})
	return merged
}
