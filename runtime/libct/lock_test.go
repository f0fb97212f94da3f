package libct

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLockWaiterLosesToARemoveAndARecreate: one who waited for a
// container's lock while the container was removed and made again under
// the same id gets "gone", never the new container's lock.
func TestLockWaiterLosesToARemoveAndARecreate(t *testing.T) {
	r := &Runtime{root: t.TempDir()}
	dir := r.dir("c")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	unlock, err := r.lock("c")
	if err != nil {
		t.Fatal(err)
	}
	errGone := errors.New("gone")
	ran := false
	done := make(chan error, 1)
	go func() { done <- r.locked("c", errGone, func() error { ran = true; return nil }) }()
	// The waiter must hold the old directory open before it is replaced.
	if !awaitOpened(dir, 2) {
		t.Fatal("the waiter never opened the container's directory")
	}
	if err := os.Rename(dir, dir+".removed"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	unlock()
	if err := <-done; !errors.Is(err, errGone) || ran {
		t.Fatalf("waiter: err %v, ran on the new container %v; want gone, not run", err, ran)
	}
}

// awaitOpened waits until this process has n descriptors open on path.
func awaitOpened(path string, n int) bool {
	for range 400 {
		entries, _ := os.ReadDir("/proc/self/fd")
		open := 0
		for _, e := range entries {
			if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && target == path {
				open++
			}
		}
		if open >= n {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
