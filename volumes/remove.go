package volumes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// removeTree deletes a volume's directory, refusing when anything is
// mounted at or below it: deleting through a mount (a host directory bound
// by the local driver, say) would destroy data that is not the volume's.
// A bind mount from the same filesystem has the same st_dev, so only the
// mount table tells. The data goes first and the metadata last, so an
// interrupted removal leaves a volume that can be removed again.
func removeTree(dir string) error {
	points, err := mountPoints()
	if err != nil {
		return err
	}
	for _, p := range points {
		if p == dir || strings.HasPrefix(p, dir+"/") {
			return fmt.Errorf("%s is a mount point: refusing to delete through it", p)
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "_data")); err != nil {
		return err
	}
	return os.RemoveAll(dir)
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
