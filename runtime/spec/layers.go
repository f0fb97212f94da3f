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
// first), top layer first, as the overlay mount of the container will show
// them: the first layer holding the file wins, and a whiteout (an OCI
// ".wh.<name>" file or overlayfs's 0:0 character device) or an opaque
// directory above it hides the lower copies (see overlayfs's
// Documentation/filesystems/overlayfs.rst). Symbolic links are followed
// inside the image, never out to the host.
func LayerReader(lowerDirs []string) FileReader {
	return func(name string) ([]byte, error) {
		return readLayers(lowerDirs, name, 0)
	}
}

// readLayers reads name from the topmost layer that holds it, following a
// symbolic link by starting over with its target.
func readLayers(dirs []string, name string, links int) ([]byte, error) {
	rel := strings.TrimPrefix(path.Clean("/"+name), "/")
	for i := len(dirs) - 1; i >= 0; i-- {
		data, target, err := readLayer(dirs[i], rel)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case errors.Is(err, errHidden):
			return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		case err != nil:
			return nil, err
		case target != "":
			if links >= maxLinks {
				return nil, fmt.Errorf("%s: too many levels of symbolic links", name)
			}
			return readLayers(dirs, target, links+1)
		}
		return data, nil
	}
	return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
}

// readLayer reads rel (slash-separated, relative) from one layer: its
// content, or the absolute target of a symbolic link to follow, or an
// error wrapping fs.ErrNotExist (the layer does not touch it) or errHidden.
// It looks through os.Root, which refuses a path that leaves the layer.
func readLayer(dir, rel string) ([]byte, string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", err
	}
	defer root.Close()
	if err := checkWhiteouts(root, rel); err != nil {
		return nil, "", err
	}
	fi, err := root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) && isOpaque(root, dir, path.Dir(rel)) {
		return nil, "", errHidden
	}
	if err != nil {
		return nil, "", err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		data, err := root.ReadFile(rel)
		return data, "", err
	}
	target, err := root.Readlink(rel)
	if err != nil {
		return nil, "", err
	}
	if !path.IsAbs(target) {
		target = path.Join("/", path.Dir(rel), target)
	}
	return nil, target, nil
}

// checkWhiteouts reports errHidden when the layer deletes rel or one of
// its parent directories.
func checkWhiteouts(root *os.Root, rel string) error {
	prefix := ""
	for part := range strings.SplitSeq(rel, "/") {
		wh := path.Join(prefix, ".wh."+part)
		prefix = path.Join(prefix, part)
		if exists(root, wh) || isCharWhiteout(root, prefix) {
			return errHidden
		}
	}
	return nil
}

// isOpaque reports whether the layer's directory rel, or a parent of it,
// hides the lower layers' content: OCI's ".wh..wh..opq" marker or
// overlayfs's trusted.overlay.opaque="y" attribute.
func isOpaque(root *os.Root, dir, rel string) bool {
	for d := rel; ; d = path.Dir(d) {
		if exists(root, path.Join(d, ".wh..wh..opq")) || hasOpaqueXattr(filepath.Join(dir, filepath.FromSlash(d))) {
			return true
		}
		if d == "." {
			return false
		}
	}
}

// isCharWhiteout reports whether rel is overlayfs's whiteout: a character
// device with device number 0:0.
func isCharWhiteout(root *os.Root, rel string) bool {
	fi, err := root.Lstat(rel)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
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
