package volumes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Remove deletes the volume called name and its data. It returns
// ErrNotFound when there is no such volume and ErrInUse, naming the
// containers, when a container still references it.
func (s *Store) Remove(ctx context.Context, name string) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.removeLocked(name, func(record) bool { return true })
}

// removeLocked removes a volume when keep(rec) allows it; the caller holds
// the lock.
func (s *Store) removeLocked(name string, allow func(record) bool) error {
	rec, err := s.load(name)
	if err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	users, err := s.users(name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return fmt.Errorf("remove volume %q: %w - [%s]", name, ErrInUse, strings.Join(users, ", "))
	}
	if !allow(rec) {
		return nil
	}
	if err := unmountDriver(rec); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	if err := removeTree(s.path(name)); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	return nil
}

// removeTree deletes dir like os.RemoveAll but never crosses into another
// filesystem: if something is still mounted inside a volume (a host
// directory bound by the local driver, say), deleting through it would
// destroy data that is not the volume's. The metadata goes last, so an
// interrupted removal leaves a volume that can be removed again.
func removeTree(dir string) error {
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return err
	}
	if err := removeChildren(dir, st.Dev, "volume.json"); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

func removeChildren(dir string, dev uint64, last string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == last {
			continue
		}
		if err := removeEntry(filepath.Join(dir, e.Name()), e.IsDir(), dev); err != nil {
			return err
		}
	}
	return nil
}

func removeEntry(path string, isDir bool, dev uint64) error {
	if !isDir {
		return os.Remove(path)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return err
	}
	if st.Dev != dev {
		return fmt.Errorf("%s is a mount point: refusing to delete through it", path)
	}
	if err := removeChildren(path, dev, ""); err != nil {
		return err
	}
	return os.Remove(path)
}

// removeIfEmpty removes a volume this process created when nothing was put
// in it and nobody uses it: the undo of a failed preparation, which must
// never delete data.
func (s *Store) removeIfEmpty(ctx context.Context, name string) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.removeLocked(name, func(rec record) bool {
		empty, err := isEmptyDir(rec.Mountpoint)
		return err == nil && empty
	})
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return false, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return true, nil
}
