//go:build seccomp

package libct_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
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
		return runIn(t, rt, cfg)
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

// cacheEntries lists the compiled programs in the cache, checking that
// each has its record beside it and that nothing else is there.
func cacheEntries(t *testing.T, root string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(root, "seccomp"))
	if err != nil {
		t.Fatal(err)
	}
	var programs, records []string
	for _, de := range des {
		if name, ok := strings.CutSuffix(de.Name(), ".rec"); ok {
			records = append(records, name)
		} else {
			programs = append(programs, de.Name())
		}
	}
	if !slices.Equal(programs, records) {
		t.Fatalf("cache holds programs %v and records %v: want one record per program", programs, records)
	}
	return programs
}

// TestSeccompRecordsSkipRuleWork: an init whose calls match a record in
// the cache does not make them in libseccomp but answers them from the
// record. Shown with a record whose last rule is said to have failed:
// the init that follows it fails to create its filter, which only the
// record could have told it.
func TestSeccompRecordsSkipRuleWork(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	profile := filepath.Join(t.TempDir(), "deny-mkdir.json")
	writeProfile(t, profile, `["mkdir","mkdirat"]`)
	cfg := config(t, "sh", "-c", "mkdir /tmp/d 2>&1 | sed 's/.*: //'")
	cfg.Seccomp = profile
	if logs := runIn(t, rt, cfg); logs != "stdout: Operation not permitted\n" {
		t.Fatalf("log %q, want mkdir refused", logs)
	}
	entries := cacheEntries(t, root)
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	dir := filepath.Join(root, "seccomp")
	key := entries[0]
	rec, err := os.ReadFile(filepath.Join(dir, key+".rec"))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(filepath.Join(dir, key))
	if err != nil {
		t.Fatal(err)
	}
	// The record ends with the last rule's result (0); say it was EINVAL.
	if len(rec) < 4 || binary.LittleEndian.Uint32(rec[len(rec)-4:]) != 0 {
		t.Fatalf("record does not end with a successful call: % x", rec[max(0, len(rec)-8):])
	}
	forged := slices.Clone(rec)
	einval := int32(syscall.EINVAL)
	binary.LittleEndian.PutUint32(forged[len(forged)-4:], uint32(-einval))
	forgedKey := libct.SeccompCacheKey(forged)
	replaceEntry(t, dir, key, forgedKey, prog, forged)
	again := config(t, "true")
	again.Seccomp = profile
	if _, err := rt.Create(ctx(t), again); err == nil {
		_ = rt.Remove(ctx(t), again.ID)
		t.Fatal("created a container whose filter's last rule the record says failed: the record was not used")
	}
	// A record whose name is not the key of its content is no candidate:
	// the same forged record under the honest key changes nothing.
	replaceEntry(t, dir, forgedKey, key, prog, forged)
	cfg = config(t, "sh", "-c", "mkdir /tmp/d 2>&1 | sed 's/.*: //'")
	cfg.Seccomp = profile
	if logs := runIn(t, rt, cfg); logs != "stdout: Operation not permitted\n" {
		t.Errorf("with a record not named by its content: log %q, want mkdir refused", logs)
	}
}

// replaceEntry puts the cache entry named from (program and record) under
// the name to, holding prog and rec.
func replaceEntry(t *testing.T, dir, from, to string, prog, rec []byte) {
	t.Helper()
	for name, body := range map[string][]byte{to: prog, to + ".rec": rec} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{from, from + ".rec"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// runIn runs cfg to its exit in rt and returns its log.
func runIn(t *testing.T, rt runtime.Runtime, cfg *runtime.ContainerConfig) string {
	t.Helper()
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := rt.Wait(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return logText(t, rt, cfg.ID)
}
