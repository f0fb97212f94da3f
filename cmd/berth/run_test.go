package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
