package libct_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestShimsShareOneSealedCopy: with the state root inside the binary's
// directory, overlayfs cannot seal the binary for libcontainer, and the
// shims run from one sealed memfd copy made by the runtime instead of
// each container copying the binary.
func TestShimsShareOneSealedCopy(t *testing.T) {
	root := besideBinary(t)
	rt := newRuntimeAt(t, root)
	var shims []string
	for range 2 {
		cfg := config(t, "sleep", "1000")
		mustCreate(t, rt, cfg)
		pid, err := os.ReadFile(filepath.Join(root, "containers", cfg.ID, "shim.pid"))
		if err != nil {
			t.Fatal(err)
		}
		link, err := os.Readlink("/proc/" + strings.TrimSpace(string(pid)) + "/exe")
		if err != nil {
			t.Fatal(err)
		}
		shims = append(shims, link)
		if err := rt.Stop(ctx(t), cfg.ID, syscall.SIGKILL, 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, link := range shims {
		if !strings.HasPrefix(link, "/memfd:") {
			t.Errorf("shim runs %q, want the sealed memfd copy", link)
		}
	}
}

// besideBinary makes a runtime root inside the test binary's directory,
// where overlayfs cannot give libcontainer a sealed view of the binary.
func besideBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp(filepath.Dir(exe), "root-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	return root
}
