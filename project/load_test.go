package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func testOptions(files ...string) Options {
	return Options{Files: files, Environ: []string{"PATH=/usr/bin:/bin"}}
}

func TestLoadInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid fixtures: %v", err)
	}
	// What each error must say besides the file's name.
	want := map[string]string{
		"invalid-yaml-syntax.yaml":             "did not find expected key",
		"invalid-unknown-top-level-key.yaml":   "additional properties 'foo' not allowed",
		"invalid-required-variable.yaml":       "required variable BERTH_TEST_UNSET_IMAGE is missing a value: image must be set",
		"invalid-extends-missing-service.yaml": `service "nope" not found`,
		"invalid-depends-on-unknown.yaml":      `service "web" depends on undefined service "db"`,
		"invalid-cycle.yaml":                   "dependency cycle detected: ",
		"invalid-unknown-service-key.yaml":     "services.web.imag",
		"invalid-missing-env-file.yaml":        "missing.env",
		"invalid-no-image-no-build.yaml":       `service "web" has neither an image nor a build context`,
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			abs, _ := filepath.Abs(file)
			_, err := Load(t.Context(), testOptions(abs))
			if err == nil {
				t.Fatal("loaded without error")
			}
			msg := err.Error()
			if !strings.Contains(msg, abs) {
				t.Errorf("error does not name the file %s: %s", abs, msg)
			}
			if w, ok := want[name]; !ok {
				t.Errorf("no expectation for %s", name)
			} else if !strings.Contains(msg, w) {
				t.Errorf("error %q does not say %q", msg, w)
			}
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestCycleNamesEveryService(t *testing.T) {
	_, err := Load(t.Context(), testOptions(mustAbs(t, "testdata/invalid-cycle.yaml")))
	if err == nil {
		t.Fatal("no error for a cycle")
	}
	for _, s := range []string{"a", "b", "c"} {
		if !strings.Contains(err.Error(), s+" ") && !strings.HasSuffix(err.Error(), s) {
			t.Errorf("cycle error %q does not name %s", err, s)
		}
	}
}

func TestLoadValidStack(t *testing.T) {
	opts := testOptions(mustAbs(t, "testdata/valid-stack.yaml"))
	opts.Profiles = []string{"backend"}
	p, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "my_stack" {
		t.Errorf("project name %q, want the top-level name normalized: my_stack", p.Name)
	}
	if got := p.ServiceNames(); !slices.Equal(got, []string{"api", "db", "web"}) {
		t.Errorf("services %v, want api db web (debug's profile is off)", got)
	}
	if img := p.Services["web"].Image; img != "nginx:latest" {
		t.Errorf("web image %q, want defaults interpolated: nginx:latest", img)
	}
	if _, ok := p.Volumes["unused"]; ok {
		t.Error("a volume no service uses was kept")
	}
	labels := p.Services["web"].CustomLabels
	if labels[LabelProject] != "my_stack" || labels[LabelService] != "web" || labels[LabelOneoff] != "False" {
		t.Errorf("labels %v", labels)
	}
	if labels[LabelConfigFiles] != mustAbs(t, "testdata/valid-stack.yaml") {
		t.Errorf("config files label %q", labels[LabelConfigFiles])
	}
}

func TestProjectNamePrecedence(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "My.App")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(sub, "compose.yaml")
	writeFile(t, file, "services:\n  web:\n    image: x\n")
	named := filepath.Join(sub, "named.yaml")
	writeFile(t, named, "name: fromfile\nservices:\n  web:\n    image: x\n")
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"directory name, normalized", Options{Files: []string{file}}, "myapp"},
		{"top-level name", Options{Files: []string{named}}, "fromfile"},
		{"COMPOSE_PROJECT_NAME beats name:", Options{Files: []string{named}, Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}}, "fromenv"},
		{"-p beats everything", Options{Files: []string{named}, ProjectName: "flag", Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}}, "flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tt.want {
				t.Errorf("project name %q, want %q", p.Name, tt.want)
			}
		})
	}
}

func TestDefaultFilesAndOverride(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), "services:\n  web:\n    image: base\n    environment: [A=1]\n")
	writeFile(t, filepath.Join(dir, "compose.override.yaml"), "services:\n  web:\n    image: override\n")
	writeFile(t, filepath.Join(dir, ".env"), "TAG=fromdotenv\n")
	writeFile(t, filepath.Join(dir, "other.env"), "TAG=fromenvfile\n")
	p, err := Load(t.Context(), Options{ProjectDirectory: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ComposeFiles) != 2 || p.Services["web"].Image != "override" {
		t.Errorf("files %v image %q: the override file was not merged", p.ComposeFiles, p.Services["web"].Image)
	}
	if p.Environment["TAG"] != "fromdotenv" {
		t.Errorf(".env not read: TAG=%q", p.Environment["TAG"])
	}
	p, err = Load(t.Context(), Options{ProjectDirectory: dir, EnvFiles: []string{filepath.Join(dir, "other.env")}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Environment["TAG"] != "fromenvfile" {
		t.Errorf("--env-file not read instead of .env: TAG=%q", p.Environment["TAG"])
	}
}

func TestOrder(t *testing.T) {
	opts := testOptions(mustAbs(t, "testdata/valid-stack.yaml"))
	opts.Profiles = []string{"backend"}
	p, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	order, err := Order(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{"db", "api", "web"}) {
		t.Errorf("order %v, want db api web", order)
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
