package libct

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// pollInterval bounds how long Wait takes to notice a cancelled ctx.
const pollInterval = 100 * time.Millisecond

// Wait returns the container's exit once its shim has recorded it. It
// waits on a pidfd of the shim (pidfd_open(2)), which becomes readable when
// the shim exits, right after it wrote the exit record; any process can do
// this, not only the shim's parent.
func (r *Runtime) Wait(ctx context.Context, id string) (runtime.ExitStatus, error) {
	if _, err := r.loadRecord(id); err != nil {
		return runtime.ExitStatus{}, err
	}
	dir := r.dir(id)
	fd := r.shimPidfd(dir)
	// The loop closes fd once the shim is gone and sets it to -1. Close
	// what fd holds at return, not the number it had here: by then that
	// number may be another goroutine's file, and closing it under that
	// goroutine's feet makes its reads fail (EBADF, or EINVAL when the
	// number was reused by a pidfd) or go to the wrong file.
	defer func() {
		if fd >= 0 {
			unix.Close(fd)
		}
	}()
	for {
		exit, err := shim.ReadExit(dir)
		if err == nil {
			return runtime.ExitStatus{Code: exit.Code, Finished: exit.Finished, OOMKilled: exit.OOMKilled}, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return runtime.ExitStatus{}, fmt.Errorf("wait container %q: %w", id, err)
		}
		if fd < 0 && !r.recoverLostMonitor(id) {
			return runtime.ExitStatus{}, fmt.Errorf("wait container %q: monitor exited without recording an exit: %s", id, shimLog(dir))
		}
		if fd < 0 {
			continue // recorded now
		}
		if err := ctx.Err(); err != nil {
			return runtime.ExitStatus{}, err
		}
		if pollExit(fd) {
			unix.Close(fd)
			fd = -1
		}
	}
}

// pollExit waits up to pollInterval for the process behind fd to exit.
func pollExit(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(pollInterval/time.Millisecond))
	return err == nil && n > 0
}

// shimPidfd opens a pidfd on the container's shim, or returns -1 when the
// shim is gone. The pid is checked against the shim's argv after opening,
// so a recycled pid is never mistaken for it.
func (r *Runtime) shimPidfd(dir string) int {
	pid, err := readInt(filepath.Join(dir, shimPidFile))
	if err != nil {
		return -1
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1
	}
	cmdline, _ := readCmdline(pid)
	if !bytes.Equal(cmdline, []byte(r.shimPath()+"\x00"+dir+"\x00")) {
		unix.Close(fd)
		return -1
	}
	return fd
}
