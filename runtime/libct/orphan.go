package libct

import (
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/runtime/shim"
)

// monitorLostCode is the exit code recorded for a container whose shim
// died before it: containerd reports such a task with the same 255.
const monitorLostCode = 255

// recoverLostMonitor handles a container whose shim is gone without an
// exit record (killed, or lost with its machine's state): its output has
// nowhere to go and nothing would record its end, so its init is killed
// and the exit recorded here. It reports whether it recorded one. A
// container still being created (no shim or init pid yet) is left alone.
func (r *Runtime) recoverLostMonitor(id string) bool {
	dir := r.dir(id)
	if !exists(filepath.Join(dir, shimPidFile)) || !exists(filepath.Join(dir, pidFile)) {
		return false
	}
	fd := r.shimPidfd(dir)
	if fd >= 0 {
		unix.Close(fd)
		return false
	}
	if _, err := shim.ReadExit(dir); err == nil {
		return true // the shim recorded it just before exiting
	}
	// An error means init is gone already or libcontainer's state is
	// lost; either way there is nothing left to kill.
	pid, _ := readInt(filepath.Join(dir, pidFile))
	fd, err := unix.PidfdOpen(pid, 0)
	_ = r.signal(id, syscall.SIGKILL)
	if err == nil {
		// Its exit is recorded once it is dead: the pidfd polls readable
		// when the process has exited, reaped or not (pidfd_open(2)).
		for range 50 {
			if pollExit(fd) {
				break
			}
		}
		unix.Close(fd)
	}
	exit := shim.Exit{Code: monitorLostCode, Finished: time.Now().UTC()}
	return shim.WriteExit(dir, exit) == nil
}
