package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// paxXattr prefixes xattrs in PAX records, as GNU tar and Docker write them.
const paxXattr = "SCHILY.xattr."

// open returns an O_PATH fd of the directory rel, resolved by openat2(2)
// with RESOLVE_IN_ROOT: ".." and absolute symlinks stop at the layer root,
// as if the layer root were "/", so no path can lead out of it.
func (u *unpacker) open(rel string) (int, error) {
	if rel == "" {
		rel = "."
	}
	how := &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(u.root, rel, how)
		// EAGAIN: a concurrent rename raced the lookup; openat2(2) asks
		// to retry.
		if !errors.Is(err, unix.EAGAIN) {
			return fd, err
		}
	}
}

// mkdirAll opens directory rel, creating missing components (0755, as tar
// does for directories it has no entry for) one by one inside the parent
// already resolved, so each new directory is inside the layer too.
func (u *unpacker) mkdirAll(rel string) (int, error) {
	fd, err := u.open(rel)
	if !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	parts := strings.Split(strings.Trim(rel, "/"), "/")
	fd, err = u.open("")
	for i := range parts {
		if err != nil {
			return -1, err
		}
		mkErr := unix.Mkdirat(fd, parts[i], 0o755)
		unix.Close(fd)
		if mkErr != nil && !errors.Is(mkErr, unix.EEXIST) {
			return -1, mkErr
		}
		fd, err = u.open(strings.Join(parts[:i+1], "/"))
	}
	return fd, err
}

// clear removes what is at base in parent before an entry replaces it; a
// directory stays when a directory entry comes again (tar updates its
// metadata), any other existing object goes.
func (u *unpacker) clear(parent int, base string, isDir bool) error {
	var st unix.Stat_t
	err := unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return unix.Unlinkat(parent, base, 0)
	}
	if isDir {
		return nil
	}
	// os.Root confines RemoveAll to the directory the magic link names.
	root, err := os.OpenRoot(procPath(parent, ""))
	if err != nil {
		return err
	}
	defer root.Close()
	return root.RemoveAll(base)
}

// metadata applies ownership, xattrs, mode and times of hdr to base in
// parent, never following base if it is a symlink.
func (u *unpacker) metadata(parent int, base, rel string, hdr *tar.Header) error {
	if err := u.chown(parent, base, hdr); err != nil {
		return err
	}
	if err := u.xattrs(parent, base, hdr); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeSymlink {
		return u.times(parent, base, hdr.AccessTime, hdr.ModTime)
	}
	// After chown: chown(2) clears the set-user-ID and set-group-ID bits.
	// fchmodat(2) follows symlinks, but base is none: it was just made.
	if err := unix.Fchmodat(parent, base, uint32(hdr.Mode)&0o7777, 0); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if hdr.Typeflag == tar.TypeDir {
		u.dirs = append(u.dirs, dirTime{rel: rel, atime: hdr.AccessTime, mtime: hdr.ModTime})
		return nil
	}
	return u.times(parent, base, hdr.AccessTime, hdr.ModTime)
}

func (u *unpacker) chown(parent int, base string, hdr *tar.Header) error {
	if !u.privileged {
		return nil // only root may give files away (chown(2))
	}
	if err := unix.Fchownat(parent, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown %d:%d: %w", hdr.Uid, hdr.Gid, err)
	}
	return nil
}

// xattrs sets the entry's extended attributes; lsetxattr(2) on
// /proc/self/fd/N/base follows the magic link to parent but not base.
// Without root, attributes of the trusted and security namespaces are
// skipped (setting them needs CAP_SYS_ADMIN, xattr(7)).
func (u *unpacker) xattrs(parent int, base string, hdr *tar.Header) error {
	for key, value := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(key, paxXattr)
		if !ok {
			continue
		}
		err := unix.Lsetxattr(procPath(parent, base), attr, []byte(value), 0)
		if errors.Is(err, unix.EPERM) && !u.privileged {
			continue
		}
		if err != nil {
			return fmt.Errorf("set xattr %s: %w", attr, err)
		}
	}
	return nil
}

func (u *unpacker) times(parent int, base string, atime, mtime time.Time) error {
	if atime.IsZero() {
		atime = mtime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(parent, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

// finish sets directory times last, since creating entries in a directory
// changes its mtime.
func (u *unpacker) finish() error {
	for _, d := range u.dirs {
		dir, base := path.Split(d.rel)
		fd, err := u.open(dir)
		if err != nil {
			return fmt.Errorf("set times of %q: %w", d.rel, err)
		}
		err = u.times(fd, base, d.atime, d.mtime)
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("set times of %q: %w", d.rel, err)
		}
	}
	return nil
}

// procPath names base inside the directory fd through procfs; with base ""
// it is the directory itself.
func procPath(fd int, base string) string {
	p := "/proc/self/fd/" + strconv.Itoa(fd)
	if base == "" {
		return p
	}
	return p + "/" + base
}
