package volumes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// CopyUp fills the volume directory dst with what the image has at target,
// as Docker does on a volume's first use: only when dst is empty and the
// image has a directory there. layers are the image's layer directories,
// lowest first as overlay lower dirs (one directory for a merged view);
// overlay whiteouts and opaque directories are honoured. Ownership, modes,
// symlinks, hard links, device nodes, times and the xattrs the filesystem
// takes are kept, and dst gets the owner and mode of the image directory.
//
// The copy is built in a hidden directory inside dst and moved in at the
// end, so a failure leaves dst as empty as it was. copied is false when
// nothing was to be done.
func CopyUp(ctx context.Context, dst string, layers []string, target string) (copied bool, err error) {
	empty, err := isEmptyDir(dst)
	if !empty || err != nil {
		return false, err
	}
	src, err := lookupDir(reversed(layers), target)
	if src.path == "" || err != nil {
		return false, err
	}
	if err := stageAndMove(ctx, dst, src); err != nil {
		return false, fmt.Errorf("copy image content at %s into volume: %w", target, err)
	}
	return true, nil
}

func reversed(layers []string) []string {
	top := slices.Clone(layers)
	slices.Reverse(top)
	return top
}

func stageAndMove(ctx context.Context, dst string, src entry) (err error) {
	stage, err := os.MkdirTemp(dst, ".berth-copyup-")
	if err != nil {
		return err
	}
	// The stage holds only what was not moved, our own copies. Left
	// behind, it would make the volume look filled.
	defer func() { err = errors.Join(err, os.RemoveAll(stage)) }()
	c := copier{links: map[[2]uint64]string{}}
	if err := c.mergeDir(ctx, src.dirs, stage); err != nil {
		return err
	}
	if err := moveEntries(stage, dst); err != nil {
		return err
	}
	return c.metadata(src.path, src.info, dst)
}

// moveEntries renames the staged copy into place without replacing
// anything a concurrent user of the volume wrote meanwhile (rename(2)
// RENAME_NOREPLACE).
func moveEntries(stage, dst string) error {
	entries, err := os.ReadDir(stage)
	if err != nil {
		return err
	}
	for _, e := range entries {
		from, to := filepath.Join(stage, e.Name()), filepath.Join(dst, e.Name())
		err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("move %s into volume: %w", e.Name(), err)
		}
	}
	return nil
}

// entry is one name in the merged view of the layers: the topmost path
// that has it and, for a directory, every layer directory that adds to it,
// top first.
type entry struct {
	path string
	info os.FileInfo
	dirs []string
}

// resolve finds name in the parent directories (top first) as overlayfs
// would show it (see the kernel's Documentation/filesystems/overlayfs.rst):
// a whiteout hides everything below it, a non-directory hides the layers
// below, and directories merge down to the first opaque one.
func resolve(parents []string, name string) (entry, error) {
	var e entry
	for _, parent := range parents {
		p := filepath.Join(parent, name)
		info, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil || isWhiteout(info) {
			return e, err
		}
		if !info.IsDir() {
			if e.path == "" {
				e.path, e.info = p, info
			}
			return e, nil
		}
		if e.path == "" {
			e.path, e.info = p, info
		}
		e.dirs = append(e.dirs, p)
		if isOpaque(p) {
			return e, nil
		}
	}
	return e, nil
}

// isWhiteout: overlayfs marks a deleted name with a 0/0 character device.
func isWhiteout(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && info.Mode()&os.ModeCharDevice != 0 && st.Rdev == 0
}

// isOpaque: an opaque directory hides the same directory in lower layers
// (trusted.overlay.opaque, or user.overlay.opaque for layers unpacked
// without root).
func isOpaque(dir string) bool {
	buf := make([]byte, 1)
	for _, attr := range []string{"trusted.overlay.opaque", "user.overlay.opaque"} {
		if n, err := unix.Lgetxattr(dir, attr, buf); err == nil && n == 1 && buf[0] == 'y' {
			return true
		}
	}
	return false
}
