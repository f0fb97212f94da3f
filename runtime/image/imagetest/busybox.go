// Package imagetest builds the images berth's tests use, offline: busybox
// from Debian's busybox-static and small static Go programs, pushed to an
// in-process registry on 127.0.0.1 (go-containerregistry's pkg/registry).
package imagetest

import (
	"archive/tar"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// BusyboxPath is the static busybox binary the busybox image is made of
// (Debian's busybox-static package).
const BusyboxPath = "/bin/busybox"

// epoch stamps every file, so the same busybox gives the same layer digest
// in every test and layers are shared between the images built on it.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var busybox struct {
	once sync.Once
	tar  []byte
	err  error
}

// BusyboxTar is the busybox root file system as an uncompressed tar:
// /bin/busybox, a symlink for each applet (as `busybox --install -s`),
// /etc/passwd with root and nobody, /etc/group, and /tmp with mode 1777.
// It is built once per test binary.
func BusyboxTar() ([]byte, error) {
	busybox.once.Do(func() { busybox.tar, busybox.err = buildBusyboxTar() })
	return busybox.tar, busybox.err
}

// WriteBusyboxTar writes BusyboxTar to w, for `import` tests and
// benchmarks.
func WriteBusyboxTar(w io.Writer) error {
	data, err := BusyboxTar()
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func buildBusyboxTar() ([]byte, error) {
	binary, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return nil, fmt.Errorf("read busybox (apt-get install busybox-static): %w", err)
	}
	applets, err := exec.Command(BusyboxPath, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("list busybox applets: %w", err)
	}
	entries := []entry{
		{hdr: &tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777}},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755}, content: binary},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "etc/passwd", Mode: 0o644},
			content: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "etc/group", Mode: 0o644},
			content: []byte("root:x:0:\nnobody:x:65534:\n")},
	}
	for _, d := range []string{"bin", "dev", "etc", "proc", "root", "sbin", "sys", "usr", "usr/bin", "usr/sbin", "var"} {
		entries = append(entries, entry{hdr: &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}})
	}
	for _, applet := range strings.Fields(string(applets)) {
		if applet != "bin/busybox" && path.Dir(applet) != "." {
			entries = append(entries, entry{hdr: &tar.Header{Typeflag: tar.TypeSymlink, Name: applet, Linkname: "/bin/busybox", Mode: 0o777}})
		}
	}
	return writeTar(entries)
}

// entry is one file of a tar to build.
type entry struct {
	hdr     *tar.Header
	content []byte
}

func rank(e entry) int {
	if e.hdr.Typeflag == tar.TypeDir {
		return 0
	}
	return 1
}

// writeTar builds an uncompressed tar of entries, every one stamped with
// epoch; directories go first so that tar order is a valid creation order.
func writeTar(entries []entry) ([]byte, error) {
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(rank(a), rank(b)) })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		e.hdr.Size = int64(len(e.content))
		e.hdr.ModTime = epoch
		e.hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(e.hdr); err != nil {
			return nil, fmt.Errorf("tar %s: %w", e.hdr.Name, err)
		}
		if _, err := tw.Write(e.content); err != nil {
			return nil, fmt.Errorf("tar %s: %w", e.hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
