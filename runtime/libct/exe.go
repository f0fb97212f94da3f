package libct

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/opencontainers/runc/libcontainer/exeseal"
	"golang.org/x/sys/unix"
)

// sealedExe is the binary shims are started from. libcontainer starts
// each init from a sealed clone of its own binary, so that a container
// cannot overwrite the host's berth through /proc/self/exe (CVE-2019-5736):
// a read-only overlayfs of the binary's directory, or, where overlayfs
// refuses (the state directory inside the binary's directory: "overlapping
// layers", ELOOP), a copy of the whole ~28 MB binary into a sealed memfd,
// one per container. libcontainer skips the clone when /proc/self/exe is
// a sealed memfd already; so where the copy would be made, one is made
// here, once, and every shim runs from it.
//
// The copy is made when the Runtime is, before it starts anything: while
// the copy is being written, a process forked meanwhile holds a writable
// descriptor of it until its own execve, and executing the copy then
// fails (seen as EACCES under 10 parallel Creates).
//
// Given a runtime binary (Options.Exe), shims run from a sealed memfd of
// that instead, for the same reason and with the same effect.
type sealedExe struct {
	file *os.File // nil: overlayfs works, or no clone could be made
}

// path is what to execute to start a shim: the shared sealed copy, or the
// binary itself.
func (s *sealedExe) path() string {
	if s.file == nil {
		return "/proc/self/exe"
	}
	// The memfd is close-on-exec; execve(2) resolves the path first.
	return "/proc/self/fd/" + strconv.Itoa(int(s.file.Fd()))
}

// sharedClone tries libcontainer's clone as libcontainer would for a
// container under stateRoot, and keeps it if it is a sealed memfd.
func sharedClone(stateRoot string) *os.File {
	f, err := exeseal.CloneSelfExe(stateRoot)
	if err != nil {
		return nil
	}
	defer f.Close()
	if !exeseal.IsCloned(f) {
		return nil // an overlayfs view: cheap, libcontainer makes its own
	}
	high, err := aboveChildFds(f)
	if err != nil {
		return nil
	}
	return high
}

// aboveChildFds returns a close-on-exec duplicate of f numbered minExeFd
// or higher. In the shim's child, the files it passes take fds 0-3 before
// execve(2) resolves /proc/self/fd/N: N must stay clear of them.
func aboveChildFds(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, minExeFd)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// minExeFd is the lowest descriptor the shared clone may take.
const minExeFd = 16

// sealedCopy puts exe into a memfd sealed the way libcontainer checks for
// (exeseal.IsCloned): no writes, no resizing, no new seals.
func sealedCopy(exe []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(runtimeExeName, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("runtime binary: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "memfd:"+runtimeExeName)
	defer f.Close()
	if _, err := f.Write(exe); err != nil {
		return nil, fmt.Errorf("runtime binary: write memfd: %w", err)
	}
	if err := sealMemfd(f); err != nil {
		return nil, fmt.Errorf("runtime binary: seal memfd: %w", err)
	}
	high, err := aboveChildFds(f)
	if err != nil {
		return nil, fmt.Errorf("runtime binary: dup memfd: %w", err)
	}
	return high, nil
}

// runtimeExeName names the memfd of the runtime binary, as /proc/PID/exe
// of a shim shows it ("/memfd:berth-runtime (deleted)").
const runtimeExeName = "berth-runtime"

// sealMemfd seals f against writes, resizing and new seals. F_SEAL_WRITE
// fails with EBUSY while the kernel still holds extra references to the
// file's pages (memfd_wait_for_pins: seen when a page is being migrated or
// compacted at that moment), so it is tried a few times.
func sealMemfd(f *os.File) error {
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	var err error
	for attempt := range 20 {
		if _, err = unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); !errors.Is(err, unix.EBUSY) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}
