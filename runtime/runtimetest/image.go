package runtimetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// busyboxPath is Debian's statically linked busybox (package
// busybox-static).
const busyboxPath = "/bin/busybox"

// BusyboxImage builds a one-layer busybox image in a temp dir (see
// BuildBusybox) and returns it as lower dirs. It skips the test when
// busybox-static is missing.
func BusyboxImage(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(busyboxPath); err != nil {
		t.Skipf("busybox-static is needed to build a test image: %v", err)
	}
	root := t.TempDir()
	if err := BuildBusybox(root); err != nil {
		t.Fatal(err)
	}
	return []string{root}
}

// BuildBusybox fills the empty directory root with a busybox rootfs: the
// static busybox binary with a symlink per applet in /bin, /etc/passwd and
// /etc/group, and the directories a container expects.
func BuildBusybox(root string) error {
	out, err := exec.Command(busyboxPath, "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox image: list applets: %w", err)
	}
	for _, d := range []string{"bin", "etc", "dev", "proc", "sys", "root", "home", "var", "sbin", "tmp"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			return fmt.Errorf("busybox image: %w", err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		return fmt.Errorf("busybox image: %w", err)
	}
	if err := copyFile(busyboxPath, filepath.Join(root, "bin", "busybox")); err != nil {
		return err
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			return fmt.Errorf("busybox image: %w", err)
		}
	}
	files := map[string]string{
		"passwd":  "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
		"group":   "root:x:0:\nnogroup:x:65534:\n",
		"notexec": "not a program\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, "etc", name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("busybox image: %w", err)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("busybox image: %w", err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		return fmt.Errorf("busybox image: %w", err)
	}
	return nil
}
