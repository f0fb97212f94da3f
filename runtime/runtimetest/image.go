package runtimetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// busyboxPath is Debian's statically linked busybox (package
// busybox-static).
const busyboxPath = "/bin/busybox"

// BusyboxImage builds a one-layer busybox image in a temp dir: the static
// busybox binary with a symlink per applet in /bin, /etc/passwd and
// /etc/group, and the directories a container expects. It returns the
// layer as lower dirs. It skips the test when busybox-static is missing.
func BusyboxImage(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command(busyboxPath, "--list").Output()
	if err != nil {
		t.Skipf("busybox-static is needed to build a test image: %v", err)
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "etc", "dev", "proc", "sys", "root", "home", "var", "sbin"} {
		mkdir(t, filepath.Join(root, d), 0o755)
	}
	mkdir(t, filepath.Join(root, "tmp"), 0o1777)
	copyFile(t, busyboxPath, filepath.Join(root, "bin", "busybox"), 0o755)
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			t.Fatalf("busybox image: %v", err)
		}
	}
	writeFile(t, filepath.Join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")
	writeFile(t, filepath.Join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n")
	writeFile(t, filepath.Join(root, "etc", "notexec"), "not a program\n")
	return []string{root}
}

func mkdir(t testing.TB, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(path, mode); err != nil {
		t.Fatalf("busybox image: %v", err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatalf("busybox image: %v", err)
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatalf("busybox image: %v", err)
	}
}

func copyFile(t testing.TB, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("busybox image: %v", err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatalf("busybox image: %v", err)
	}
}
