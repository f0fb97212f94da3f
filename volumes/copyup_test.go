package volumes

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func statOf(t *testing.T, path string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// writeTree makes files (path -> content) under dir; a content starting
// with "->" is a symlink target, "/" suffix in the path a directory.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case name[len(name)-1] == '/':
			err = os.MkdirAll(p, 0o755)
		case len(content) > 2 && content[:2] == "->":
			err = os.Symlink(content[2:], p)
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCopyUpMergesLayers(t *testing.T) {
	t.Parallel()
	lower, upper, vol := t.TempDir(), t.TempDir(), t.TempDir()
	writeTree(t, lower, map[string]string{
		"data/a.txt": "lower a", "data/b.txt": "lower b", "data/sub/deep": "deep", "etc/x": "other",
	})
	writeTree(t, upper, map[string]string{
		"data/b.txt": "upper b", "data/link": "->a.txt", "data/new/": "",
	})
	if err := os.Chmod(filepath.Join(upper, "data"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(lower, "data", "a.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	copied, err := CopyUp(t.Context(), vol, []string{lower, upper}, "/data")
	if err != nil || !copied {
		t.Fatalf("CopyUp = %v, %v", copied, err)
	}
	want := []string{"a.txt", "b.txt", "link", "new", "sub", "sub/deep"}
	if got := listTree(t, vol); !slices.Equal(got, want) {
		t.Fatalf("volume holds %v, want %v", got, want)
	}
	assertFile(t, filepath.Join(vol, "b.txt"), "upper b", 0o644, os.Geteuid(), os.Getegid())
	assertFile(t, filepath.Join(vol, "a.txt"), "lower a", 0o600, os.Geteuid(), os.Getegid())
	if link, err := os.Readlink(filepath.Join(vol, "link")); err != nil || link != "a.txt" {
		t.Errorf("symlink = %q, %v", link, err)
	}
	if info, _ := os.Stat(vol); info.Mode().Perm() != 0o750 {
		t.Errorf("volume root mode = %o, want the image directory's 0750", info.Mode().Perm())
	}
}

func TestCopyUpLeavesNonEmptyVolume(t *testing.T) {
	t.Parallel()
	image, vol := t.TempDir(), t.TempDir()
	writeTree(t, image, map[string]string{"data/from-image": "x"})
	writeTree(t, vol, map[string]string{"mine": "user data"})
	copied, err := CopyUp(t.Context(), vol, []string{image}, "/data")
	if err != nil || copied {
		t.Fatalf("CopyUp into a non-empty volume = %v, %v; want nothing done", copied, err)
	}
	if got := listTree(t, vol); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("volume holds %v", got)
	}
}

func TestCopyUpNothingAtTarget(t *testing.T) {
	t.Parallel()
	image, vol := t.TempDir(), t.TempDir()
	writeTree(t, image, map[string]string{"file": "x"})
	for _, target := range []string{"/missing", "/file", "/"} {
		if copied, err := CopyUp(t.Context(), vol, []string{image}, target); err != nil || copied {
			t.Errorf("CopyUp(%s) = %v, %v; want nothing done", target, copied, err)
		}
	}
	if got := listTree(t, vol); len(got) != 0 {
		t.Errorf("volume holds %v", got)
	}
}

func TestCopyUpOpaqueDir(t *testing.T) {
	t.Parallel()
	lower, upper, vol := t.TempDir(), t.TempDir(), t.TempDir()
	writeTree(t, lower, map[string]string{"data/old": "hidden"})
	writeTree(t, upper, map[string]string{"data/new": "shown"})
	err := unix.Lsetxattr(filepath.Join(upper, "data"), "user.overlay.opaque", []byte("y"), 0)
	if err != nil {
		t.Skipf("user xattrs unsupported here: %v", err)
	}
	if _, err := CopyUp(t.Context(), vol, []string{lower, upper}, "/data"); err != nil {
		t.Fatal(err)
	}
	if got := listTree(t, vol); !slices.Equal(got, []string{"new"}) {
		t.Errorf("volume holds %v, want only the opaque upper's content", got)
	}
}

func TestPrepareCopyUpAndNocopy(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	image := t.TempDir()
	writeTree(t, image, map[string]string{"seed/init.sql": "create", "keep/x": "y"})
	p := loadProject(t, `
services:
  app:
    image: busybox
    volumes:
      - data:/seed
      - type: volume
        source: other
        target: /keep
        volume: {nocopy: true}
volumes:
  data: {}
  other: {}
`, nil)
	mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1", ImageLayers: []string{image}})
	if err != nil {
		t.Fatal(err)
	}
	if got := listTree(t, findMount(t, mounts, "/seed").Source); !slices.Equal(got, []string{"init.sql"}) {
		t.Errorf("copied-up volume holds %v", got)
	}
	if got := listTree(t, findMount(t, mounts, "/keep").Source); len(got) != 0 {
		t.Errorf("nocopy volume holds %v", got)
	}
}

func TestCopyUpFollowsSymlinksInsideImage(t *testing.T) {
	t.Parallel()
	image := t.TempDir()
	writeTree(t, image, map[string]string{
		"run/app/pid": "1", "var/run": "->../run", "srv": "->/data/real", "data/real/x": "y",
		"loop": "->loop", "escape": "->../../../..",
	})
	cases := map[string][]string{"/var/run/app": {"pid"}, "/srv": {"x"}, "/escape/run/app": {"pid"}}
	for target, want := range cases {
		vol := t.TempDir()
		if _, err := CopyUp(t.Context(), vol, []string{image}, target); err != nil {
			t.Fatalf("CopyUp(%s): %v", target, err)
		}
		if got := listTree(t, vol); !slices.Equal(got, want) {
			t.Errorf("CopyUp(%s) copied %v, want %v", target, got, want)
		}
	}
	if _, err := CopyUp(t.Context(), t.TempDir(), []string{image}, "/loop/x"); err == nil {
		t.Error("a symlink loop did not fail")
	}
}
