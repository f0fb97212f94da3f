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

func TestEveryUnhonouredServiceKeyIsWarned(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	writeFile(t, file, `services:
  web:
    image: x
    cgroup_parent: custom
    cgroup: host
    userns_mode: host
    runtime: runc
    isolation: default
    storage_opt: {size: 1G}
    blkio_config: {weight: 300}
    cpu_rt_runtime: 1000
    cpu_period: 100000
    cpu_quota: 50000
    mem_swappiness: 10
    oom_kill_disable: true
    uts: host
    device_cgroup_rules: ["c 1:3 mr"]
    annotations: {a: b}
    platform: linux/amd64
    attach: false
    deploy:
      mode: global
      placement: {constraints: ["node.role==manager"]}
      resources:
        reservations: {cpus: "0.5"}
`)
	warned := map[string]bool{}
	opts := Options{Files: []string{file}, WarnUnhonouredKeys: true, Warn: func(w Warning) { warned[w.Path] = true }}
	if _, err := Load(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"cgroup_parent", "cgroup", "userns_mode", "runtime", "isolation", "storage_opt",
		"blkio_config", "cpu_rt_runtime", "cpu_period", "cpu_quota", "mem_swappiness", "oom_kill_disable", "uts",
		"device_cgroup_rules", "annotations", "platform", "attach", "deploy.mode", "deploy.placement",
		"deploy.resources.reservations.cpus"} {
		if !warned[key] {
			t.Errorf("%s was not warned about", key)
		}
	}
}
