//go:build seccomp

package libct_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seccompBuilt: with the seccomp tag containers get Docker's profile.
const seccompBuilt = true

func TestSeccompProfileFileAndUnconfined(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "profile.json")
	body := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`
	if err := os.WriteFile(profile, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config(t, "sh", "-c", "mkdir /tmp/d 2>&1 | sed 's/.*: //'; grep ^Seccomp: /proc/self/status")
	cfg.Seccomp = profile
	if _, logs := runToExit(t, cfg); logs != "stdout: Operation not permitted\nstdout: Seccomp:\t2\n" {
		t.Errorf("with the profile file: log = %q, want mkdir refused", logs)
	}
	cfg = config(t, "grep", "^Seccomp:", "/proc/self/status")
	cfg.Seccomp = "unconfined"
	if _, logs := runToExit(t, cfg); !strings.Contains(logs, "Seccomp:\t0") {
		t.Errorf("unconfined: log = %q, want no filter", logs)
	}
}

// TestSeccompCacheServesCompiledFilters: init compiles a profile once and
// later inits load the very program from the runtime's cache: two
// profiles get two entries, each still enforcing its own rules, and an
// entry is what a later init loads (shown by replacing one with a
// program that allows everything).
func TestSeccompCacheServesCompiledFilters(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	dir := t.TempDir()
	denyMkdir := filepath.Join(dir, "deny-mkdir.json")
	denyChmod := filepath.Join(dir, "deny-chmod.json")
	writeProfile(t, denyMkdir, `["mkdir","mkdirat"]`)
	writeProfile(t, denyChmod, `["chmod","fchmodat","fchmodat2"]`)
	script := "mkdir /tmp/d 2>&1 | sed 's/.*: //'; chmod 700 /tmp 2>&1 | sed 's/.*: //'; echo done"
	run := func(profile string) string {
		t.Helper()
		cfg := config(t, "sh", "-c", script)
		cfg.Seccomp = profile
		mustCreate(t, rt, cfg)
		if err := rt.Start(ctx(t), cfg.ID); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if _, err := rt.Wait(ctx(t), cfg.ID); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		return logText(t, rt, cfg.ID)
	}
	const mkdirRefused = "stdout: Operation not permitted\nstdout: done\n"
	const chmodRefused = "stdout: Operation not permitted\nstdout: done\n"
	for range 2 { // a miss, then a hit
		if got := run(denyMkdir); got != mkdirRefused {
			t.Errorf("deny-mkdir profile: log %q, want %q", got, mkdirRefused)
		}
	}
	entries := cacheEntries(t, root)
	if len(entries) != 1 {
		t.Fatalf("cache holds %v after one profile, want one entry", entries)
	}
	if got := run(denyChmod); got != chmodRefused {
		t.Errorf("deny-chmod profile: log %q, want %q", got, chmodRefused)
	}
	if n := len(cacheEntries(t, root)); n != 2 {
		t.Fatalf("cache holds %d entries after two profiles, want 2", n)
	}
	// BPF_RET|BPF_K SECCOMP_RET_ALLOW, in host byte order (little endian).
	allowAll := []byte{0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f}
	if err := os.WriteFile(filepath.Join(root, "seccomp", entries[0]), allowAll, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := run(denyMkdir); got != "stdout: done\n" {
		t.Errorf("with its cache entry replaced: log %q, want mkdir allowed (the entry loaded)", got)
	}
}

func writeProfile(t *testing.T, path, denied string) {
	t.Helper()
	body := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":` + denied + `,"action":"SCMP_ACT_ERRNO"}]}`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func cacheEntries(t *testing.T, root string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(root, "seccomp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}
