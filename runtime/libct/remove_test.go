package libct_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

func TestRemoveLeavesNothing(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	cfg := config(t, "sh", "-c", "echo data > /written; exit 0")
	cfg.Resources.Memory = 64 << 20
	cfg.Resources.PidsLimit = 100
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := rt.Wait(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if len(cgroupDirs(cfg.ID)) == 0 {
		t.Fatal("no cgroup found for the container before Remove: the check would prove nothing")
	}
	assertRemoveLeavesNothing(t, rt, root, cfg.ID)
}

// assertRemoveLeavesNothing removes id and checks that no mount, cgroup or
// state directory of it is left.
func assertRemoveLeavesNothing(t *testing.T, rt runtime.Runtime, root, id string) {
	t.Helper()
	if err := rt.Remove(ctx(t), id); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mounts), filepath.Join(root, "containers", id)) {
		t.Errorf("a mount of %s is left", id)
	}
	if dirs := cgroupDirs(id); len(dirs) > 0 {
		t.Errorf("cgroups left: %q", dirs)
	}
	for _, d := range []string{"containers", "libcontainer"} {
		if _, err := os.Stat(filepath.Join(root, d, id)); !os.IsNotExist(err) {
			t.Errorf("state dir %s/%s left (%v)", d, id, err)
		}
	}
	// The directory's files are deleted in the background, from the trash.
	if left := awaitEmpty(filepath.Join(root, "trash")); len(left) > 0 {
		t.Errorf("trash not emptied: %q", left)
	}
}

// awaitEmpty waits, for a bounded time, until dir has no entries, and
// returns those it still has.
func awaitEmpty(dir string) []string {
	var names []string
	for range 200 {
		entries, _ := os.ReadDir(dir)
		names = names[:0]
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return names
}

// TestNewEmptiesTheTrash: what a process that removed containers did not
// finish deleting, the next runtime on the same root deletes.
func TestNewEmptiesTheTrash(t *testing.T) {
	root := t.TempDir()
	left := filepath.Join(root, "trash", "gone.1", "upper", "data")
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	newRuntimeAt(t, root)
	if names := awaitEmpty(filepath.Join(root, "trash")); len(names) > 0 {
		t.Errorf("trash not emptied: %q", names)
	}
}

// cgroupDirs lists the container's cgroup directories in every hierarchy.
func cgroupDirs(id string) []string {
	found, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*/berth", id))
	if d := filepath.Join("/sys/fs/cgroup/berth", id); isDir(d) {
		found = append(found, d)
	}
	return found
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// TestRemoveWithoutTrashStillRemoves: with the trash gone (deleted by
// hand), Remove deletes the container's directory in place rather than
// report success and leave it.
func TestRemoveWithoutTrashStillRemoves(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	cfg := config(t, "true")
	mustCreate(t, rt, cfg)
	if err := os.RemoveAll(filepath.Join(root, "trash")); err != nil {
		t.Fatal(err)
	}
	assertRemoveLeavesNothing(t, rt, root, cfg.ID)
}
