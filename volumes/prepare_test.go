package volumes

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// prepare runs PrepareService for service of p as container id.
func prepare(t *testing.T, s *Store, req ServiceRequest) ([]Mount, []Warning, error) {
	t.Helper()
	if req.StateDir == "" {
		req.StateDir = t.TempDir()
	}
	return s.PrepareService(t.Context(), req)
}

func findMount(t *testing.T, mounts []Mount, dest string) Mount {
	t.Helper()
	for _, m := range mounts {
		if m.Destination == dest {
			return m
		}
	}
	t.Fatalf("no mount at %s in %+v", dest, mounts)
	return Mount{}
}

func TestPrepareBinds(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    volumes:
      - ./made:/short
      - ./exists:/ro:ro,z
      - type: bind
        source: ./exists
        target: /shared
        bind: {propagation: rshared}
      - type: bind
        source: ./made-long
        target: /long
        bind: {create_host_path: true}
`, nil)
	if err := os.Mkdir(filepath.Join(p.WorkingDir, "exists"), 0o755); err != nil {
		t.Fatal(err)
	}
	mounts, warnings, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	short := findMount(t, mounts, "/short")
	if short.Source != filepath.Join(p.WorkingDir, "made") || !slices.Equal(short.Options, []string{"rbind", "rw", "rprivate"}) {
		t.Errorf("short bind = %+v", short)
	}
	if info, err := os.Stat(short.Source); err != nil || !info.IsDir() {
		t.Errorf("short syntax did not create its host directory: %v", err)
	}
	if _, err := os.Stat(findMount(t, mounts, "/long").Source); err != nil {
		t.Errorf("create_host_path: true did not create the host directory: %v", err)
	}
	if ro := findMount(t, mounts, "/ro"); !slices.Equal(ro.Options, []string{"rbind", "ro", "rprivate"}) {
		t.Errorf("read-only bind options = %v", ro.Options)
	}
	if sh := findMount(t, mounts, "/shared"); !slices.Contains(sh.Options, "rshared") {
		t.Errorf("propagation options = %v", sh.Options)
	}
	if len(warnings) != 1 || warnings[0].Service != "app" || !strings.Contains(warnings[0].String(), `"z"`) {
		t.Errorf("warnings = %v, want one naming service app and the z label", warnings)
	}
}

func TestPrepareBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		says       []string
	}{
		{"long bind missing source", `
services:
  app:
    image: busybox
    volumes:
      - type: bind
        source: ./missing
        target: /data
`, []string{`"app"`, "volumes[0]", "missing", "create_host_path"}},
		{"long bind create_host_path false", `
services:
  app:
    image: busybox
    volumes:
      - type: bind
        source: ./missing
        target: /data
        bind: {create_host_path: false}
`, []string{`"app"`, "volumes[0]", "missing"}},
		{"volumes_from unknown service", `
services:
  app:
    image: busybox
    volumes_from: [ghost]
`, []string{`"app"`, `"ghost"`}},
		{"secret file missing", `
services:
  app:
    image: busybox
    secrets: [token]
secrets:
  token:
    file: ./token.txt
`, []string{`"app"`, `"token"`, "token.txt"}},
		{"bad volume name", `
services:
  app:
    image: busybox
    volumes: [data:/data]
volumes:
  data:
    name: "bad name!"
`, []string{`"app"`, `"bad name!"`}},
		{"duplicate target", `
services:
  app:
    image: busybox
    volumes: [/data]
    tmpfs: [/data]
`, []string{`"app"`, `"/data"`}},
		{"other driver", `
services:
  app:
    image: busybox
    volumes: [data:/data]
volumes:
  data:
    driver: nfs
`, []string{`"data"`, `"nfs"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := openStore(t)
			p := loadUnchecked(t, c.yaml)
			state := t.TempDir()
			_, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1", StateDir: state})
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, want := range c.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
			assertVolumes(t, s)
			assertEmptyDir(t, state)
		})
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("%s holds %v (%v), want nothing", dir, entries, err)
	}
}

func TestPrepareUndoesOnLateFailure(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    volumes:
      - data:/data
      - kept:/kept
      - /anon
      - ./made/deep:/made
    configs: [conf]
volumes:
  data: {}
  kept: {}
configs:
  conf:
    content: hello
`, nil)
	kept := mustCreate(t, s, CreateOptions{Name: "demo_kept"})
	if err := os.WriteFile(filepath.Join(kept.Mountpoint, "precious"), []byte("user data"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state")
	if err := os.WriteFile(state, nil, 0o644); err != nil { // a file: the configs directory cannot be made
		t.Fatal(err)
	}
	_, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1", StateDir: state})
	if err == nil {
		t.Fatal("no error with an unusable state directory")
	}
	assertVolumes(t, s, "demo_kept")
	if users, _ := s.Users(t.Context(), "demo_kept"); len(users) != 0 {
		t.Errorf("reference left on demo_kept: %v", users)
	}
	if _, err := os.Stat(filepath.Join(kept.Mountpoint, "precious")); err != nil {
		t.Errorf("user data lost: %v", err)
	}
	if _, err := os.Stat(filepath.Join(p.WorkingDir, "made")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("created bind directory left behind: %v", err)
	}
}

func TestPrepareVolumesAndAnonymous(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    volumes:
      - data:/data:ro
      - /cache
      - type: volume
        target: /labelled
        volume: {labels: {purpose: scratch}}
      - type: volume
        source: data
        target: /sub
        volume: {subpath: logs}
volumes:
  data: {}
`, nil)
	data := mustCreate(t, s, CreateOptions{Name: "demo_data", Labels: map[string]string{LabelProject: "demo", LabelVolume: "data"}})
	if err := os.Mkdir(filepath.Join(data.Mountpoint, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	req := ServiceRequest{Project: p, Service: "app", ContainerID: "c1", ImageVolumes: []string{"/cache", "/var/lib/thing"}}
	mounts, _, err := prepare(t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if m := findMount(t, mounts, "/data"); m.Source != data.Mountpoint || m.Volume != "demo_data" || !slices.Contains(m.Options, "ro") {
		t.Errorf("named volume mount = %+v", m)
	}
	if m := findMount(t, mounts, "/sub"); m.Source != filepath.Join(data.Mountpoint, "logs") {
		t.Errorf("subpath mount = %+v", m)
	}
	cache, thing := findMount(t, mounts, "/cache"), findMount(t, mounts, "/var/lib/thing")
	if len(mounts) != 5 || cache.Volume == thing.Volume {
		t.Errorf("want 5 mounts with distinct anonymous volumes, got %+v", mounts)
	}
	labelled, err := s.Get(ctx, findMount(t, mounts, "/labelled").Volume)
	if err != nil || labelled.Labels["purpose"] != "scratch" || !labelled.Anonymous() {
		t.Errorf("anonymous volume with volume.labels = %+v, %v", labelled, err)
	}
	if users, _ := s.Users(ctx, "demo_data"); !slices.Equal(users, []string{"c1"}) {
		t.Errorf("users of demo_data = %v", users)
	}

	// Preparing the same container again reuses its anonymous volumes.
	repeat, _, err := prepare(t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := findMount(t, repeat, "/cache").Volume; got != cache.Volume {
		t.Errorf("repeated preparation: /cache volume %s, want the same %s", got, cache.Volume)
	}

	// A recreate keeps the anonymous volumes; `up -V` renews them.
	req.ContainerID, req.Previous = "c2", "c1"
	again, _, err := prepare(t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := findMount(t, again, "/cache").Volume; got != cache.Volume {
		t.Errorf("recreate: /cache volume %s, want inherited %s", got, cache.Volume)
	}
	if err := s.ReleaseContainer(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, cache.Volume); err != nil {
		t.Errorf("inherited anonymous volume removed with the old container: %v", err)
	}
	req.ContainerID, req.Previous, req.RenewAnonymous = "c3", "c2", true
	renewed, _, err := prepare(t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := findMount(t, renewed, "/cache").Volume; got == cache.Volume {
		t.Error("up -V kept the old anonymous volume")
	}
	if err := s.ReleaseContainer(ctx, "c2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, cache.Volume); !errors.Is(err, ErrNotFound) {
		t.Errorf("renewed-away anonymous volume still there: %v", err)
	}
}
