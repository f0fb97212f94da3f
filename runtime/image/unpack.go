package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Whiteouts as the image spec writes them in layer tars; overlayfs wants
// them as a 0:0 character device and a trusted.overlay.opaque xattr
// (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
// directories").
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"
	opaqueXattr    = "trusted.overlay.opaque"
)

// Unpack extracts the layer tar r into dir, an empty directory, in the form
// overlayfs takes as a lower dir: whiteouts become 0:0 character devices,
// opaque markers the trusted.overlay.opaque xattr. Ownership, modes, mtimes,
// xattrs, hard links, symlinks and device nodes are kept. Nothing is ever
// written outside dir: every path is resolved by openat2(2) with
// RESOLVE_IN_ROOT, so "..", absolute names and symlinks (in the tar or made
// by it) stay inside dir, and the last component is never followed.
// Without root, ownership is not applied, xattrs the kernel refuses
// (trusted.*) are skipped, and device nodes and opaque dirs fail.
func Unpack(ctx context.Context, r io.Reader, dir string) error {
	rootFD, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open layer dir %s: %w", dir, err)
	}
	defer unix.Close(rootFD)
	u := &unpacker{root: rootFD, privileged: os.Geteuid() == 0}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return u.finish()
		}
		if err != nil {
			return fmt.Errorf("read layer tar: %w", err)
		}
		if err := u.entry(hdr, tr); err != nil {
			return fmt.Errorf("unpack %q: %w", hdr.Name, err)
		}
	}
}

// unpacker holds the state of one Unpack.
type unpacker struct {
	root       int // O_PATH fd of the layer dir
	privileged bool
	dirs       []dirTime // directory mtimes, set last: later entries change them
}

type dirTime struct {
	rel          string
	atime, mtime time.Time
}

// cleanName turns a tar name into a path relative to the layer root that
// cannot climb out of it ("../../x" and "/x" both become "x"); "" is the
// root itself.
func cleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

func (u *unpacker) entry(hdr *tar.Header, r io.Reader) error {
	rel := cleanName(hdr.Name)
	if rel == "" || hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // the layer root keeps the store's mode and owner; global PAX headers hold no file
	}
	dir, base := path.Split(rel)
	if strings.HasPrefix(base, whiteoutPrefix) {
		return u.whiteout(dir, base)
	}
	parent, err := u.mkdirAll(dir)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	if err := u.clear(parent, base, hdr.Typeflag == tar.TypeDir); err != nil {
		return err
	}
	if err := u.create(parent, base, hdr, r); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeLink {
		return nil // a hard link shares its target's inode and metadata
	}
	return u.metadata(parent, base, rel, hdr)
}

// create makes the file system object hdr describes as base in parent.
func (u *unpacker) create(parent int, base string, hdr *tar.Header, r io.Reader) error {
	switch hdr.Typeflag {
	case tar.TypeDir:
		err := unix.Mkdirat(parent, base, 0o755)
		if errors.Is(err, unix.EEXIST) {
			return nil
		}
		return err
	case tar.TypeReg, tar.TypeGNUSparse: // archive/tar reads sparse files whole
		return writeFile(parent, base, r)
	case tar.TypeSymlink:
		return unix.Symlinkat(hdr.Linkname, parent, base)
	case tar.TypeLink:
		return u.link(parent, base, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return unix.Mknodat(parent, base, nodeMode(hdr), int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
}

func nodeMode(hdr *tar.Header) uint32 {
	mode := uint32(hdr.Mode) & 0o7777
	switch hdr.Typeflag {
	case tar.TypeChar:
		return mode | unix.S_IFCHR
	case tar.TypeBlock:
		return mode | unix.S_IFBLK
	}
	return mode | unix.S_IFIFO
}

// writeFile creates base in parent exclusively and without following a
// symlink (O_EXCL|O_NOFOLLOW, open(2)), then copies the content in.
func writeFile(parent int, base string, r io.Reader) error {
	fd, err := unix.Openat(parent, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// link makes base in parent a hard link to target, a tar name resolved
// inside the layer; linkat(2) without AT_SYMLINK_FOLLOW links a symlink
// itself, never what it points to.
func (u *unpacker) link(parent int, base, target string) error {
	rel := cleanName(target)
	if rel == "" {
		return fmt.Errorf("hard link to the layer root")
	}
	dir, name := path.Split(rel)
	oldParent, err := u.open(dir)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", target, err)
	}
	defer unix.Close(oldParent)
	return unix.Linkat(oldParent, name, parent, base, 0)
}

// whiteout records a deletion in overlay's form: base ".wh.name" becomes a
// 0:0 character device "name"; ".wh..wh..opq" marks dir opaque.
func (u *unpacker) whiteout(dir, base string) error {
	parent, err := u.mkdirAll(dir)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	if base == whiteoutOpaque {
		// setxattr(2) through the magic link follows it to the directory.
		return unix.Setxattr(procPath(parent, ""), opaqueXattr, []byte("y"), 0)
	}
	if strings.HasPrefix(base, whiteoutMeta) {
		return nil // aufs bookkeeping (.wh..wh.plnk and the like)
	}
	name := strings.TrimPrefix(base, whiteoutPrefix)
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("invalid whiteout %q", base)
	}
	if err := u.clear(parent, name, false); err != nil {
		return err
	}
	return unix.Mknodat(parent, name, unix.S_IFCHR, 0)
}
