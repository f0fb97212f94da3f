package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks bounds the symbolic links followed to read one file, as the
// kernel's ELOOP limit does for path resolution (path_resolution(7)).
const maxLinks = 40

// errHidden: the layer deletes the file or hides the lower layers' copy.
var errHidden = errors.New("hidden by an upper layer")

// LayerReader reads files of an image through its unpacked layers (lowest
// first) as the overlay mount of the container will show them: each path
// component is looked up top layer first, and a whiteout (an OCI
// ".wh.<name>" file or overlayfs's 0:0 character device) or an opaque
// directory hides the copies below it (see overlayfs's
// Documentation/filesystems/overlayfs.rst). Symbolic links are resolved in
// that merged view, never out to the host.
func LayerReader(lowerDirs []string) FileReader {
	return func(name string) ([]byte, error) {
		return readMerged(lowerDirs, name)
	}
}

// readMerged walks name component by component through the merged layers,
// starting over at a symbolic link's target, and reads the file from the
// layer that holds it.
func readMerged(dirs []string, name string) ([]byte, error) {
	rest, cur, links := splitPath(name), "", 0
	for len(rest) > 0 {
		next := path.Join(cur, rest[0])
		layer, target, err := lookup(dirs, next)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if target == "" {
			if len(rest) == 1 {
				return readInLayer(dirs[layer], next)
			}
			cur, rest = next, rest[1:]
			continue
		}
		if links++; links > maxLinks {
			return nil, fmt.Errorf("%s: too many levels of symbolic links", name)
		}
		if !path.IsAbs(target) {
			target = path.Join("/", cur, target)
		}
		cur, rest = "", append(splitPath(target), rest[1:]...)
	}
	return nil, fmt.Errorf("%s: is a directory", name)
}

// splitPath splits a path into its components, without "." or "..":
// ".." at the root stays at the root, as in path_resolution(7).
func splitPath(p string) []string {
	clean := strings.TrimPrefix(path.Clean("/"+p), "/")
	if clean == "" {
		return nil
	}
	return strings.Split(clean, "/")
}

// lookup finds rel (whose parents are directories in the merged view) in
// the topmost layer that has it: that layer's index, and the target when
// it is a symbolic link. The error wraps fs.ErrNotExist when no layer has
// it or an upper layer hides the lower copies.
func lookup(dirs []string, rel string) (int, string, error) {
	for i := len(dirs) - 1; i >= 0; i-- {
		target, err := lookupLayer(dirs[i], rel)
		switch {
		case errors.Is(err, errHidden):
			return 0, "", fs.ErrNotExist
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return 0, "", err
		}
		return i, target, nil
	}
	return 0, "", fs.ErrNotExist
}

// lookupLayer looks rel up in one layer: nil error when the layer has it
// (with the target of a symbolic link), errHidden when the layer deletes
// it or hides the layers below, fs.ErrNotExist when it does not touch it.
func lookupLayer(dir, rel string) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	parent := path.Dir(rel)
	if exists(root, path.Join(parent, ".wh."+path.Base(rel))) {
		return "", errHidden
	}
	fi, err := root.Lstat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist) && isOpaque(root, dir, parent):
		return "", errHidden
	case err != nil:
		return "", err
	case isCharWhiteout(fi):
		return "", errHidden
	case fi.Mode()&fs.ModeSymlink != 0:
		return root.Readlink(rel)
	}
	return "", nil
}

// readInLayer reads a file of one layer; os.Root refuses a path that
// leaves the layer.
func readInLayer(dir, rel string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.ReadFile(rel)
}

// isOpaque reports whether the layer's directory rel hides the lower
// layers' content: OCI's ".wh..wh..opq" marker or overlayfs's
// trusted.overlay.opaque="y" attribute.
func isOpaque(root *os.Root, dir, rel string) bool {
	return exists(root, path.Join(rel, ".wh..wh..opq")) || hasOpaqueXattr(filepath.Join(dir, filepath.FromSlash(rel)))
}

// isCharWhiteout reports whether fi is overlayfs's whiteout: a character
// device with device number 0:0.
func isCharWhiteout(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

// hasOpaqueXattr reads overlayfs's opaque marker (getxattr(2)); reading
// trusted.* needs CAP_SYS_ADMIN, and without it the marker reads as absent.
func hasOpaqueXattr(p string) bool {
	buf := make([]byte, 1)
	n, err := syscall.Getxattr(p, "trusted.overlay.opaque", buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

func exists(root *os.Root, rel string) bool {
	_, err := root.Lstat(rel)
	return err == nil
}
