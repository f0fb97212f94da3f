package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/api"
)

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(t.Context(), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, args)
	return out.String(), errOut.String(), err
}

func TestRunConfigServices(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	compose := "services:\n  web:\n    image: x\n    depends_on: [db]\n  db:\n    image: y\n"
	if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "-f", file, "config", "--services")
	if err != nil {
		t.Fatal(err)
	}
	if out != "db\nweb\n" {
		t.Errorf("got %q, want db then web", out)
	}
}

func TestRunUnknownFormat(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web:\n    image: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "-f", file, "config", "--format", "toml")
	if err == nil || !strings.Contains(err.Error(), `unsupported format "toml"`) {
		t.Errorf("got %v", err)
	}
}

func TestRunVersion(t *testing.T) {
	out, _, err := run(t, "version", "--short")
	if err != nil || out != version+"\n" {
		t.Errorf("version --short printed %q, %v", out, err)
	}
}

func TestTTYViewRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	v := newTTYView(&out)
	v.event(api.Event{Resource: "Network demo_default", Status: "Creating"})
	v.event(api.Event{Resource: "Network demo_default", Status: "Created"})
	v.event(api.Event{Resource: "Container demo-web-1", Status: "Starting"})
	frames := strings.Split(out.String(), "\x1b[2K[+] Running ")
	if len(frames) != 4 {
		t.Fatalf("want 3 frames, got %q", out.String())
	}
	last := frames[3]
	if !strings.HasPrefix(last, "1/2\n") || !strings.Contains(last, " ✔ Network demo_default  Created") ||
		!strings.Contains(last, " ⠿ Container demo-web-1  Starting") {
		t.Errorf("last frame %q", last)
	}
	if strings.Count(out.String(), "\x1b[2A") != 2 {
		t.Errorf("frames do not move back over the previous one: %q", out.String())
	}
}
