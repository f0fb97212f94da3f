package libct

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// The container's filesystem: an overlay of the image layers (read-only,
// shared by every container of the image) under a writable upper layer of
// its own.
const (
	rootfsDir = "rootfs"
	upperDir  = "upper"
	workDir   = "work"
)

// mountRootfs mounts the overlay in dir/rootfs. overlayfs takes lowerdir
// topmost first (Documentation/filesystems/overlayfs.rst), the reverse of
// the image's lowest-first order.
func mountRootfs(dir string, lower []string) (string, error) {
	if len(lower) == 0 {
		return "", errors.New("rootfs: no image layers")
	}
	for _, d := range []string{rootfsDir, upperDir, workDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", fmt.Errorf("rootfs: %w", err)
		}
	}
	top := slices.Clone(lower)
	slices.Reverse(top)
	for _, l := range top {
		if strings.ContainsAny(l, ":,") {
			return "", fmt.Errorf("rootfs: layer path %q has a ':' or ','", l)
		}
	}
	target := filepath.Join(dir, rootfsDir)
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(top, ":"),
		filepath.Join(dir, upperDir), filepath.Join(dir, workDir))
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return "", fmt.Errorf("mount rootfs %s: %w", target, err)
	}
	return target, nil
}

// unmountRootfs unmounts dir/rootfs if it is mounted. MNT_DETACH lets the
// unmount succeed while a process still holds a file open there; the
// kernel frees the mount when it is let go (umount(2)).
func unmountRootfs(dir string) error {
	target := filepath.Join(dir, rootfsDir)
	err := unix.Unmount(target, unix.MNT_DETACH)
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount rootfs %s: %w", target, err)
	}
	return nil
}
