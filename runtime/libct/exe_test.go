package libct_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/internal/roottest"
	"github.com/berth-dev/berth/runtime/libct"
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
		shims = append(shims, shimExe(t, root, cfg.ID))
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

// TestProcessesRunFromTheRuntimeBinary: given a runtime binary, as berth's
// daemon is (cmd/berth-runtime, embedded), shims run from one sealed
// memfd of it, and the container it creates runs, logs and exits as
// usual. This test binary stands in for the runtime binary: it carries
// the same entry points.
func TestProcessesRunFromTheRuntimeBinary(t *testing.T) {
	roottest.Require(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	rt, err := libct.New(root, libct.Options{Exe: exe})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(t, "sh", "-c", "echo from-runtime-binary; exit 3")
	mustCreate(t, rt, cfg)
	if link, want := shimExe(t, root, cfg.ID), "/memfd:berth-runtime (deleted)"; link != want {
		t.Errorf("shim runs %q, want %q", link, want)
	}
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	st, err := rt.Wait(ctx(t), cfg.ID)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if st.Code != 3 {
		t.Errorf("exit code %d, want 3", st.Code)
	}
	if log := logText(t, rt, cfg.ID); !strings.Contains(log, "from-runtime-binary") {
		t.Errorf("log %q lacks the container's output", log)
	}
}

// shimExe is what the shim of container id runs, as /proc/PID/exe names it.
func shimExe(t *testing.T, root, id string) string {
	t.Helper()
	pid, err := os.ReadFile(filepath.Join(root, "containers", id, "shim.pid"))
	if err != nil {
		t.Fatal(err)
	}
	link, err := os.Readlink("/proc/" + strings.TrimSpace(string(pid)) + "/exe")
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// TestShimCreatesTheContainerItself: the shim makes the container in its
// own process, so init is its child from the start and carries its argv[0]
// (libcontainer passes its caller's on), with no process run between them.
func TestShimCreatesTheContainerItself(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	cfg := config(t, "sleep", "1000")
	mustCreate(t, rt, cfg)
	c, err := rt.Inspect(ctx(t), cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	shimPid, err := os.ReadFile(filepath.Join(root, "containers", cfg.ID, "shim.pid"))
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nPPid:\t" + strings.TrimSpace(string(shimPid)) + "\n"; !strings.Contains(string(status), want) {
		t.Errorf("init's status lacks %q:\n%s", want, status)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "berth-shim") + "\x00init\x00"; string(cmdline) != want {
		t.Errorf("init's command line %q, want %q", cmdline, want)
	}
}
