// Package libct is berth's real container runtime, on runc's libcontainer.
// Each container gets an overlay rootfs of its image layers plus a writable
// layer of its own, cgroups through libcontainer's cgroupfs manager (v1 or
// v2, never systemd), and a monitor process (runtime/shim) that is the
// parent of its init, logs its output and records its exit. Everything
// lives under the runtime's root directory, so a fresh Runtime on the same
// root finds every container again.
//
// libcontainer's types stay inside this package; callers see only
// runtime.Runtime.
package libct

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/runtime"
	// nsexec, libcontainer's C constructor, must be linked in: it sets up
	// namespaces when the binary is re-executed as "init".
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
)

// Runtime runs containers with libcontainer. State lives under its root:
//
//	containers/<id>/   config, overlay upper/work/rootfs, logs, shim and exit records
//	libcontainer/<id>/ libcontainer's own state
type Runtime struct {
	root string
	exe  sealedExe
}

var _ runtime.Runtime = (*Runtime)(nil)

// Options tune a Runtime; the zero value is a working one.
type Options struct {
	// Exe is the binary that every shim and container init runs from: a
	// build of cmd/berth-runtime, which links the runtime and nothing else
	// and so starts several times faster than the whole CLI (whose package
	// initialisers alone take ~10 ms, paid twice per container). nil:
	// this process's own binary, which must then call Init first thing in
	// main.
	Exe []byte
}

// New returns a Runtime keeping its state under root, creating it if needed.
func New(root string, opts Options) (*Runtime, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("runtime root %q: %w", root, err)
	}
	for _, d := range []string{containersDir, libcontainerDir, trashDir} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o711); err != nil {
			return nil, fmt.Errorf("runtime root %q: %w", root, err)
		}
	}
	// Readable by all: an init with no_new_privileges compiles its filter
	// after it has become the container's user, and may use the cache then.
	if err := os.MkdirAll(filepath.Join(abs, seccompCacheDir), 0o755); err != nil {
		return nil, fmt.Errorf("runtime root %q: %w", root, err)
	}
	r := &Runtime{root: abs}
	// What an earlier process removed but did not finish deleting.
	go r.emptyTrash()
	if opts.Exe == nil {
		r.exe.file = sharedClone(r.libcontainerRoot())
		return r, nil
	}
	if r.exe.file, err = sealedCopy(opts.Exe); err != nil {
		// Containers still run, from this binary, only slower to start.
		slog.Warn("runtime binary unusable; containers' processes run from berth's own", "err", err)
		r.exe.file = sharedClone(r.libcontainerRoot())
	}
	return r, nil
}

const (
	containersDir   = "containers"
	libcontainerDir = "libcontainer"
	seccompCacheDir = "seccomp" // compiled filters (seccomp_cache.go)
	trashDir        = "trash"   // removed containers' directories, being deleted (remove.go)
)

// dir is the directory of one container.
func (r *Runtime) dir(id string) string {
	return filepath.Join(r.root, containersDir, id)
}

func (r *Runtime) libcontainerRoot() string {
	return filepath.Join(r.root, libcontainerDir)
}

// Files in a container's directory besides the shim's own.
const (
	recordFile  = "container.json"
	specFile    = "config.json" // the OCI runtime spec, as runc reads it
	pidFile     = "init.pid"
	shimPidFile = "shim.pid"
	startedFile = "started"
	shimLogFile = "shim.log"
)

func logPath(dir, id string) string {
	return filepath.Join(dir, id+"-json.log")
}
