package volumes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxSymlinks is the kernel's limit on symlinks followed in one lookup
// (path_resolution(7)).
const maxSymlinks = 40

// lookupDir resolves target in the merged view of the layers as the
// container will see it: symlinks are followed inside the image and never
// out of it ("/.." stays at the root), as Docker resolves a mount point in
// the container's root filesystem. The entry is empty when the image has
// no directory there, or target is "/".
func lookupDir(layers []string, target string) (entry, error) {
	w := pathWalk{layers: layers, pending: splitPath(target), cur: entry{dirs: layers}}
	for len(w.pending) > 0 {
		name := w.pending[0]
		w.pending = w.pending[1:]
		if name == ".." {
			w.walked = w.walked[:max(len(w.walked)-1, 0)]
			w.cur = walk(layers, w.walked)
			continue
		}
		next, err := resolve(w.cur.dirs, name)
		if err != nil || next.path == "" {
			return entry{}, err
		}
		if next.info.Mode()&os.ModeSymlink != 0 {
			if err := w.follow(next.path, target); err != nil {
				return entry{}, err
			}
			continue
		}
		if !next.info.IsDir() {
			return entry{}, nil
		}
		w.walked, w.cur = append(w.walked, name), next
	}
	if len(w.walked) == 0 {
		return entry{}, nil
	}
	return w.cur, nil
}

// pathWalk is a lookup in progress: names still to resolve, directories
// resolved so far and the merged entry for them.
type pathWalk struct {
	layers          []string
	pending, walked []string
	cur             entry
	links           int
}

// follow splices a symlink's target into the names still to resolve,
// from the image's root for an absolute link.
func (w *pathWalk) follow(link, target string) error {
	if w.links++; w.links > maxSymlinks {
		return fmt.Errorf("image path %s: too many levels of symbolic links", target)
	}
	dest, err := os.Readlink(link)
	if err != nil {
		return err
	}
	if filepath.IsAbs(dest) {
		w.walked = nil
	}
	w.pending = append(splitPath(dest), w.pending...)
	w.cur = walk(w.layers, w.walked)
	return nil
}

// walk re-resolves directories already found to exist.
func walk(layers, names []string) entry {
	cur := entry{dirs: layers}
	for _, name := range names {
		next, err := resolve(cur.dirs, name)
		if err != nil {
			return entry{}
		}
		cur = next
	}
	return cur
}

func splitPath(p string) []string {
	var out []string
	for _, name := range strings.Split(p, "/") {
		if name != "" && name != "." {
			out = append(out, name)
		}
	}
	return out
}
