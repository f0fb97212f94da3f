package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cleanEnv is a minimal environment, so that the caller's variables cannot
// change what a test sees.
func cleanEnv(extra ...string) []string {
	return append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent"}, extra...)
}

func TestConfigListings(t *testing.T) {
	dir := fixture(t, "config-flags")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"config", "--services"}, "db\nweb\n"},
		{[]string{"--profile", "app", "config", "--services"}, "db\napi\nweb\n"},
		{[]string{"--profile", "app", "config", "--volumes"}, "data\n"},
		{[]string{"--profile", "app", "config", "--networks"}, "back\nfront\n"},
		{[]string{"--profile", "app", "config", "--images"}, "example/api\npostgres:16\nnginx:1.27\n"},
		{[]string{"config", "--profiles"}, "app\ndebug\n"},
		{[]string{"config", "-q"}, ""},
		{[]string{"-p", "other", "config", "--hash", "db"}, "db " + hashOf(t, dir, "db") + "\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			got := berth(t, dir, cleanEnv(), tt.args...)
			if got.exit != 0 {
				t.Fatalf("exit %d: %s", got.exit, got.stderr)
			}
			if got.stdout != tt.want {
				t.Errorf("got %q, want %q", got.stdout, tt.want)
			}
		})
	}
}

// hashOf is a service's hash from `config --hash '*'`: asking for one
// service must give the same value as asking for all.
func hashOf(t *testing.T, dir, service string) string {
	t.Helper()
	all := berth(t, dir, cleanEnv(), "config", "--hash", "*")
	for _, line := range strings.Split(all.stdout, "\n") {
		if name, hash, ok := strings.Cut(line, " "); ok && name == service {
			if len(hash) != 64 {
				t.Fatalf("hash %q is not a sha256", hash)
			}
			return hash
		}
	}
	t.Fatalf("no hash for %s in %q (%s)", service, all.stdout, all.stderr)
	return ""
}

func TestConfigRendering(t *testing.T) {
	dir := fixture(t, "config-flags")
	t.Run("yaml interpolates and escapes dollars", func(t *testing.T) {
		got := berth(t, dir, cleanEnv("TAG=2"), "config")
		mustContain(t, got.stdout, "image: nginx:2\n", "PASSWORD: $$secret\n", "source: "+filepath.Join(dir, "site")+"\n", "name: flags\n")
	})
	t.Run("json", func(t *testing.T) {
		got := berth(t, dir, cleanEnv(), "config", "--format", "json")
		var doc struct {
			Name     string                    `json:"name"`
			Services map[string]map[string]any `json:"services"`
		}
		if err := json.Unmarshal([]byte(got.stdout), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, got.stdout)
		}
		if doc.Name != "flags" || doc.Services["web"]["image"] != "nginx:1.27" {
			t.Errorf("unexpected document: %s", got.stdout)
		}
	})
	t.Run("no interpolation", func(t *testing.T) {
		got := berth(t, dir, cleanEnv(), "config", "--no-interpolate")
		mustContain(t, got.stdout, "image: nginx:${TAG:-1.27}\n")
	})
	t.Run("no path resolution", func(t *testing.T) {
		got := berth(t, dir, cleanEnv(), "config", "--no-path-resolution")
		mustContain(t, got.stdout, "source: ./site\n")
	})
	t.Run("output file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.yaml")
		got := berth(t, dir, cleanEnv(), "config", "-o", out)
		if got.stdout != "" || got.exit != 0 {
			t.Fatalf("stdout %q exit %d: %s", got.stdout, got.exit, got.stderr)
		}
		written, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if want := berth(t, dir, cleanEnv(), "config").stdout; string(written) != want {
			t.Errorf("-o wrote %q, want what stdout shows", written)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		compose, _ := os.ReadFile(filepath.Join(dir, "compose.yaml"))
		got := berthStdin(t, dir, cleanEnv(), string(compose), "-f", "-", "config", "--services")
		if got.stdout != "db\nweb\n" {
			t.Errorf("-f - gave %q (%s)", got.stdout, got.stderr)
		}
	})
}

func TestConfigBadInput(t *testing.T) {
	tests := []struct {
		name, compose string
		want          []string
	}{
		{"malformed yaml", "services:\n  web:\n    image: x\n   bad: [\n", []string{"compose.yaml", "did not find expected key"}},
		{"unknown top-level key", "services:\n  web:\n    image: x\nfoo: 1\n", []string{"compose.yaml", "'foo'"}},
		{"missing required variable", "services:\n  web:\n    image: ${IMG:?set IMG}\n", []string{"compose.yaml", "services.web.image", "IMG"}},
		{"extends of a missing service", "services:\n  web:\n    image: x\n    extends:\n      service: nope\n", []string{"compose.yaml", `"nope"`}},
		{"depends_on unknown service", "services:\n  web:\n    image: x\n    depends_on: [db]\n", []string{"compose.yaml", `"web"`, `"db"`}},
		{"cycle", "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n", []string{"compose.yaml", "a -> b -> a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(tt.compose), 0o644); err != nil {
				t.Fatal(err)
			}
			got := berth(t, dir, cleanEnv(), "config")
			if got.exit != 1 {
				t.Errorf("exit %d, want 1", got.exit)
			}
			if got.stdout != "" {
				t.Errorf("printed %q on error", got.stdout)
			}
			mustContain(t, got.stderr, tt.want...)
			if lines := strings.Count(strings.TrimSpace(got.stderr), "\n") + 1; lines != 1 {
				t.Errorf("error is %d lines, want one: %q", lines, got.stderr)
			}
			assertOnlyFiles(t, dir, "compose.yaml")
		})
	}
	t.Run("unreadable file", func(t *testing.T) {
		got := berth(t, t.TempDir(), cleanEnv(), "-f", "/nonexistent/compose.yaml", "config")
		if got.exit != 1 || !strings.Contains(got.stderr, "/nonexistent/compose.yaml") {
			t.Errorf("exit %d stderr %q", got.exit, got.stderr)
		}
	})
}

func TestStrictRefusesUnhonouredKeys(t *testing.T) {
	dir := t.TempDir()
	compose := "services:\n  web:\n    image: x\n    gpus: all\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	warned := berth(t, dir, cleanEnv(), "config", "-q")
	if warned.exit != 0 {
		t.Fatalf("exit %d: %s", warned.exit, warned.stderr)
	}
	mustContain(t, warned.stderr, `service "web": gpus is ignored`)
	strict := berth(t, dir, cleanEnv(), "--strict", "config", "-q")
	if strict.exit != 1 {
		t.Errorf("--strict exit %d, want 1", strict.exit)
	}
	mustContain(t, strict.stderr, `service "web": gpus`)
}

func TestVersion(t *testing.T) {
	got := berth(t, t.TempDir(), cleanEnv(), "version")
	if got.exit != 0 || !strings.HasPrefix(got.stdout, "berth version ") {
		t.Errorf("version printed %q (exit %d)", got.stdout, got.exit)
	}
}

func mustContain(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%q does not contain %q", s, p)
		}
	}
}

func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(names) {
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		t.Errorf("%s holds %v, want only %v", dir, got, names)
	}
}
