package volumes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// copier copies a merged directory tree, remembering copied inodes so that
// hard links stay hard links.
type copier struct {
	links map[[2]uint64]string // (dev, ino) -> path of the copy
}

// mergeDir copies the union of dirs (top first) into the existing
// directory dst.
func (c *copier) mergeDir(ctx context.Context, dirs []string, dst string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	names, err := unionNames(dirs)
	if err != nil {
		return err
	}
	for _, name := range names {
		e, err := resolve(dirs, name)
		if err != nil {
			return err
		}
		if e.path == "" {
			continue // whited out
		}
		if err := c.copyEntry(ctx, e, filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

func unionNames(dirs []string) ([]string, error) {
	var names []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

func (c *copier) copyEntry(ctx context.Context, e entry, dst string) error {
	st := e.info.Sys().(*syscall.Stat_t)
	if st.Nlink > 1 && !e.info.IsDir() {
		if first, ok := c.links[[2]uint64{st.Dev, st.Ino}]; ok {
			return os.Link(first, dst)
		}
		c.links[[2]uint64{st.Dev, st.Ino}] = dst
	}
	if err := c.create(ctx, e, dst, st); err != nil {
		return fmt.Errorf("copy %s: %w", e.path, err)
	}
	return c.metadata(e.path, e.info, dst)
}

func (c *copier) create(ctx context.Context, e entry, dst string, st *syscall.Stat_t) error {
	switch mode := e.info.Mode(); {
	case mode.IsDir():
		if err := os.Mkdir(dst, 0o700); err != nil {
			return err
		}
		return c.mergeDir(ctx, e.dirs, dst)
	case mode.IsRegular():
		return copyFileData(e.path, dst)
	case mode&os.ModeSymlink != 0:
		link, err := os.Readlink(e.path)
		if err != nil {
			return err
		}
		return os.Symlink(link, dst)
	case mode&os.ModeSocket != 0:
		return nil // a socket is a live endpoint, not content
	default: // devices and fifos
		return unix.Mknod(dst, st.Mode, int(st.Rdev))
	}
}

func copyFileData(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// metadata gives dst the owner, mode, xattrs and times of src. Owner first:
// chown(2) clears the set-user-ID and set-group-ID bits.
func (c *copier) metadata(src string, info os.FileInfo, dst string) error {
	st := info.Sys().(*syscall.Stat_t)
	if info.Mode()&os.ModeSocket != 0 {
		return nil
	}
	// Without root, files can only be our own: keep what can be kept.
	err := os.Lchown(dst, int(st.Uid), int(st.Gid))
	if err != nil && (os.Geteuid() == 0 || !errors.Is(err, unix.EPERM)) {
		return err
	}
	if info.Mode()&os.ModeSymlink == 0 {
		if err := unix.Chmod(dst, st.Mode&0o7777); err != nil {
			return err
		}
	}
	if err := copyXattrs(src, dst); err != nil {
		return err
	}
	times := []unix.Timespec{unix.Timespec(st.Atim), unix.Timespec(st.Mtim)}
	return unix.UtimesNanoAt(unix.AT_FDCWD, dst, times, unix.AT_SYMLINK_NOFOLLOW)
}

// copyXattrs copies extended attributes where the destination filesystem
// and our privileges allow; overlayfs's own markers stay behind.
func copyXattrs(src, dst string) error {
	names, err := listXattrs(src)
	if err != nil || len(names) == 0 {
		return err
	}
	for _, name := range names {
		if strings.HasPrefix(name, "trusted.overlay.") || strings.HasPrefix(name, "user.overlay.") {
			continue
		}
		value, err := getXattr(src, name)
		if err == nil {
			err = unix.Lsetxattr(dst, name, value, 0)
		}
		if err != nil && !xattrUnsupported(err) {
			return fmt.Errorf("xattr %s: %w", name, err)
		}
	}
	return nil
}

func xattrUnsupported(err error) bool {
	return errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENODATA)
}

func listXattrs(path string) ([]string, error) {
	size, err := unix.Llistxattr(path, nil)
	if size <= 0 || err != nil {
		if err != nil && xattrUnsupported(err) {
			err = nil
		}
		return nil, err
	}
	buf := make([]byte, size)
	size, err = unix.Llistxattr(path, buf)
	if err != nil {
		return nil, err
	}
	return strings.FieldsFunc(string(buf[:size]), func(r rune) bool { return r == 0 }), nil
}

func getXattr(path, name string) ([]byte, error) {
	size, err := unix.Lgetxattr(path, name, nil)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	size, err = unix.Lgetxattr(path, name, buf)
	return buf[:size], err
}
