package volumes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadProject loads compose YAML the way the CLI will, with compose-go,
// from a temporary project directory, as project "demo".
func loadProject(t *testing.T, yaml string, env map[string]string) *types.Project {
	t.Helper()
	return load(t, yaml, env, false)
}

// loadUnchecked loads without compose-go's validation and consistency
// checks, as a project may reach the daemon: berth's own checks must hold.
func loadUnchecked(t *testing.T, yaml string) *types.Project {
	t.Helper()
	return load(t, yaml, nil, true)
}

func load(t *testing.T, yaml string, env map[string]string, unchecked bool) *types.Project {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: file}},
		Environment: env,
	}
	p, err := loader.LoadWithContext(t.Context(), details, func(o *loader.Options) {
		o.SetProjectName("demo", true)
		o.ResolvePaths = true
		o.SkipValidation, o.SkipConsistencyCheck = unchecked, unchecked
	})
	if err != nil {
		t.Fatalf("load compose file: %v", err)
	}
	return p
}

func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Version = "test"
	return s
}

func TestRemoveProjectVolumes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
volumes:
  data: {}
  shared:
    external: true
`, nil)
	if _, err := s.EnsureProjectVolumes(ctx, p); err == nil {
		t.Fatal("EnsureProjectVolumes with a missing external volume: no error")
	}
	if vols, _ := s.List(ctx); len(vols) != 0 {
		t.Fatalf("failed ensure left volumes behind: %v", vols)
	}
	mustCreate(t, s, CreateOptions{Name: "shared", Labels: map[string]string{LabelProject: "demo"}})
	mustCreate(t, s, CreateOptions{Name: "other_data", Labels: map[string]string{LabelProject: "other"}})
	if _, err := s.EnsureProjectVolumes(ctx, p); err != nil {
		t.Fatal(err)
	}
	anon, err := s.CreateAnonymous(ctx, "demo", "c1", "/x", nil)
	if err != nil {
		t.Fatal(err)
	}

	removed, err := s.RemoveProjectVolumes(ctx, p, false)
	if err != nil || len(removed) != 1 || removed[0] != "demo_data" {
		t.Fatalf("down -v without anonymous: removed %v, %v; want [demo_data]", removed, err)
	}
	removed, err = s.RemoveProjectVolumes(ctx, p, true)
	if err != nil || len(removed) != 1 || removed[0] != anon.Name {
		t.Fatalf("down -v with anonymous: removed %v, %v; want [%s]", removed, err, anon.Name)
	}
	assertVolumes(t, s, "other_data", "shared")
}

func TestRemoveProjectVolumesInUse(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openStore(t)
	p := loadProject(t, "services:\n  app:\n    image: busybox\nvolumes:\n  data: {}\n", nil)
	if _, err := s.EnsureProjectVolumes(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, "demo_data", "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveProjectVolumes(ctx, p, true); !errorIs(err, ErrInUse) {
		t.Fatalf("down -v of a volume in use: %v, want ErrInUse", err)
	}
	assertVolumes(t, s, "demo_data")
}

func TestEnsureProjectVolumesLabels(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
volumes:
  data:
    labels: {tier: db}
  named:
    name: exact-name
  scratch:
    driver_opts: {type: tmpfs, device: tmpfs}
`, nil)
	mustCreate(t, s, CreateOptions{Name: "exact-name"})
	mustCreate(t, s, CreateOptions{Name: "demo_scratch", Labels: map[string]string{LabelProject: "demo", LabelVolume: "scratch"}})
	warnings, err := s.EnsureProjectVolumes(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 || warnings[0].Key != "volumes.named" || !strings.Contains(warnings[1].String(), "volumes.scratch: volume \"demo_scratch\" exists with other driver_opts") {
		t.Errorf("warnings = %v, want one about volumes.named not being the project's, one about scratch's options", warnings)
	}
	v, err := s.Get(ctx, "demo_data")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tier": "db", LabelProject: "demo", LabelVolume: "data", LabelVersion: "test"}
	if !equalMaps(v.Labels, want) {
		t.Errorf("labels = %v, want %v", v.Labels, want)
	}
}
