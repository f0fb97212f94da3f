package libct

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/runtime"
)

// lock serializes what touches a container's libcontainer state (its
// state.json, cgroups and exec fifo) across goroutines and processes:
// libcontainer locks a Container value only against itself, so two Loads
// of one container, each then Signal, Exec or Destroy, would otherwise run
// at once. It takes flock(2) on the container's directory. Remove moves
// that directory away under the lock; whoever waited gets the lock on the
// old directory, sees that the container's path no longer leads to it
// (it may lead to a new container of the same id) and takes the
// container as gone, which every caller takes as done. Critical sections
// are short: never a wait for the container to exit.
func (r *Runtime) lock(id string) (unlock func(), err error) {
	f, err := os.Open(r.dir(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lock container %q: %w", id, runtime.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("lock container %q: %w", id, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container %q: %w", id, err)
	}
	if !stillAt(f, r.dir(id)) {
		// Removed while this waited, and maybe made again under the same
		// id: the lock held is the old container's, so it is gone.
		f.Close()
		return nil, fmt.Errorf("lock container %q: %w", id, runtime.ErrNotFound)
	}
	// Closing the last descriptor of the open file releases the lock.
	return func() { f.Close() }, nil
}

// stillAt says whether path is still the directory f opened.
func stillAt(f *os.File, path string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && os.SameFile(held, now)
}

// locked runs fn holding the container's lock, or returns gone when the
// container's directory is gone: removed, whoever asked is too late.
func (r *Runtime) locked(id string, gone error, fn func() error) error {
	unlock, err := r.lock(id)
	if errors.Is(err, runtime.ErrNotFound) {
		return gone
	}
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}
