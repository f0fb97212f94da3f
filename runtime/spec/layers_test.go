package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/internal/roottest"
)

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, dir, rel, target string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// layers makes n empty layer directories, lowest first.
func layers(t *testing.T, n int) []string {
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	return dirs
}

func TestLayerReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, l []string) // l: three layers, lowest first
		read  string                         // the file to read; /etc/passwd when empty
		want  string                         // "" for not found, "error" for another error
	}{
		{name: "only in the lowest layer", want: "low",
			setup: func(t *testing.T, l []string) { writeFile(t, l[0], "etc/passwd", "low") }},
		{name: "the top layer wins", want: "top", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd", "low")
			writeFile(t, l[2], "etc/passwd", "top")
		}},
		{name: "an OCI whiteout deletes it", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd", "low")
			writeFile(t, l[1], "etc/.wh.passwd", "")
		}},
		{name: "a whiteout of the parent deletes it", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd", "low")
			writeFile(t, l[1], ".wh.etc", "")
		}},
		{name: "an upper copy over a whiteout counts", want: "again", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd", "low")
			writeFile(t, l[1], "etc/.wh.passwd", "")
			writeFile(t, l[2], "etc/passwd", "again")
		}},
		{name: "an opaque directory hides lower content", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd", "low")
			writeFile(t, l[1], "etc/.wh..wh..opq", "")
			writeFile(t, l[1], "etc/group", "")
		}},
		{name: "an absolute symlink is followed inside the image", want: "real", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "usr/lib/passwd", "real")
			symlink(t, l[1], "etc/passwd", "/usr/lib/passwd")
		}},
		{name: "a relative symlink is followed inside the image", want: "real", setup: func(t *testing.T, l []string) {
			writeFile(t, l[2], "usr/lib/passwd", "real")
			symlink(t, l[0], "etc/passwd", "../usr/lib/passwd")
		}},
		{name: "a symlink to the host's file reads the image's", setup: func(t *testing.T, l []string) {
			symlink(t, l[0], "etc/passwd", "/etc/hostname")
		}},
		{name: "a symlinked parent directory stays inside the image", want: "alt", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "alt/etc/passwd", "alt")
			symlink(t, l[1], "etc", "alt/etc")
		}},
		{name: "a symlinked parent directory in another layer", want: "usr", setup: func(t *testing.T, l []string) {
			writeFile(t, l[2], "usr/etc/passwd", "usr")
			symlink(t, l[0], "etc", "/usr/etc")
		}},
		{name: "a parent directory escaping with .. stays at the root", read: "/etc2/passwd", want: "low", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd", "low")
			symlink(t, l[1], "etc2", "../../../etc")
		}},
		{name: "a directory is not a file", want: "error", setup: func(t *testing.T, l []string) {
			writeFile(t, l[0], "etc/passwd/x", "")
		}},
		{name: "nowhere", setup: func(t *testing.T, l []string) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := layers(t, 3)
			tc.setup(t, l)
			name := tc.read
			if name == "" {
				name = "/etc/passwd"
			}
			data, err := LayerReader(l)(name)
			switch {
			case tc.want == "" && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("got %q, %v; want a not-exist error", data, err)
			case tc.want == "error" && (err == nil || errors.Is(err, fs.ErrNotExist)):
				t.Errorf("got %q, %v; want an error other than not-exist", data, err)
			case tc.want != "" && tc.want != "error" && (err != nil || string(data) != tc.want):
				t.Errorf("got %q, %v; want %q", data, err, tc.want)
			}
		})
	}
}

func TestLayerReaderSymlinkLoop(t *testing.T) {
	t.Parallel()
	l := layers(t, 1)
	symlink(t, l[0], "etc/passwd", "/etc/passwd")
	if _, err := LayerReader(l)("/etc/passwd"); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want a too-many-links error", err)
	}
}

// TestLayerReaderOverlayWhiteout: overlayfs marks a deleted file with a
// 0:0 character device, which only root can make (mknod(2)).
func TestLayerReaderOverlayWhiteout(t *testing.T) {
	roottest.Require(t)
	l := layers(t, 2)
	writeFile(t, l[0], "etc/passwd", "low")
	if err := os.MkdirAll(filepath.Join(l[1], "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mknod(filepath.Join(l[1], "etc/passwd"), syscall.S_IFCHR, 0); err != nil {
		t.Fatalf("mknod whiteout: %v", err)
	}
	if data, err := LayerReader(l)("/etc/passwd"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %q, %v; want a not-exist error", data, err)
	}
}

// TestFromServiceReadsLayers: without Options.ReadFile, users resolve in
// the passwd and group of the image's top layer that has them.
func TestFromServiceReadsLayers(t *testing.T) {
	t.Parallel()
	svc, err := loadService(t, "user: app\ngroup_add: [staff]")
	if err != nil {
		t.Fatal(err)
	}
	l := layers(t, 2)
	writeFile(t, l[0], "etc/passwd", "app:x:1:1::/old:/bin/sh\n")
	writeFile(t, l[1], "etc/passwd", testPasswd)
	writeFile(t, l[0], "etc/group", testGroup)
	img := testImage()
	img.LowerDirs = l
	cfg, _, err := FromService(svc, img, Options{ID: testID})
	if err != nil {
		t.Fatalf("FromService: %v", err)
	}
	p := cfg.Process
	if p.UID != 1000 || p.GID != 1000 || p.Env[len(p.Env)-1] != "HOME=/home/app" || !slices.Equal(p.AdditionalGIDs, []uint32{1000, 10, 29, 50}) {
		t.Errorf("got uid %d gid %d groups %v env %v; want app of the top layer", p.UID, p.GID, p.AdditionalGIDs, p.Env)
	}
}

// TestLayerReaderOverlayOpaque: overlayfs marks an opaque directory with
// the trusted.overlay.opaque attribute, which only root can set
// (xattr(7)).
func TestLayerReaderOverlayOpaque(t *testing.T) {
	roottest.Require(t)
	l := layers(t, 2)
	writeFile(t, l[0], "etc/passwd", "low")
	writeFile(t, l[1], "etc/group", "")
	err := syscall.Setxattr(filepath.Join(l[1], "etc"), "trusted.overlay.opaque", []byte("y"), 0)
	if errors.Is(err, syscall.ENOTSUP) {
		t.Skipf("the file system of %s has no trusted attributes: %v", l[1], err)
	}
	if err != nil {
		t.Fatalf("setxattr: %v", err)
	}
	if data, err := LayerReader(l)("/etc/passwd"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %q, %v; want a not-exist error", data, err)
	}
}
