package project

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func TestUnhonouredKeysAreNamed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	writeFile(t, file, `services:
  web:
    image: x
    gpus: all
    logging:
      driver: syslog
    deploy:
      placement:
        constraints: [node.role==manager]
      resources:
        limits:
          memory: 10m
networks:
  default:
    driver: overlay
x-custom:
  anything: goes
`)
	var got []string
	opts := Options{Files: []string{file}, WarnUnhonouredKeys: true, Warn: func(w Warning) { got = append(got, w.String()) }}
	if _, err := Load(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`networks.default.driver is ignored: only bridge networks exist`,
		`service "web": deploy.placement is ignored: deploy.placement is only honoured by the Swarm scheduler`,
		`service "web": gpus is ignored: GPUs are not supported`,
		`service "web": logging.driver is ignored: only the json-file log driver exists`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings\n%q\nwant\n%q", got, want)
	}

	opts.Strict = true
	_, err := Load(t.Context(), opts)
	if !errors.Is(err, ErrNotHonoured) {
		t.Fatalf("--strict: got %v, want ErrNotHonoured", err)
	}
}

func TestHonouredKeysAreQuiet(t *testing.T) {
	opts := testOptions(mustAbs(t, "testdata/valid-stack.yaml"))
	opts.Strict = true
	opts.Profiles = []string{"backend"}
	if _, err := Load(t.Context(), opts); err != nil {
		t.Fatalf("a stack of honoured keys failed under --strict: %v", err)
	}
}
