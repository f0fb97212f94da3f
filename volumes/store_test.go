package volumes

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustCreate(t *testing.T, s *Store, opts CreateOptions) Volume {
	t.Helper()
	v, err := s.Create(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func assertVolumes(t *testing.T, s *Store, want ...string) {
	t.Helper()
	vols, err := s.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vols {
		got = append(got, v.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("volumes = %v, want %v", got, want)
	}
}

func errorIs(err, target error) bool { return errors.Is(err, target) }

func equalMaps(a, b map[string]string) bool { return maps.Equal(a, b) }

func TestCreateInspectShape(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	v := mustCreate(t, s, CreateOptions{Name: "db", Labels: map[string]string{"a": "b"}})
	if v.Driver != "local" || v.Scope != "local" || v.Mountpoint != filepath.Join(s.dir, "db", "_data") {
		t.Errorf("volume = %+v", v)
	}
	if info, err := os.Stat(v.Mountpoint); err != nil || !info.IsDir() {
		t.Fatalf("mount point: %v", err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"CreatedAt":`, `"Driver":"local"`, `"Labels":{"a":"b"}`, `"Mountpoint":`, `"Name":"db"`, `"Options":null`, `"Scope":"local"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("inspect JSON %s lacks %s", data, key)
		}
	}
	if _, err := s.Create(t.Context(), CreateOptions{Name: "db"}); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v, want ErrExists", err)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	cases := []struct {
		opts CreateOptions
		want error
		says string
	}{
		{CreateOptions{Name: "bad/name"}, ErrInvalid, `"bad/name"`},
		{CreateOptions{Name: "x"}, ErrInvalid, `"x"`},
		{CreateOptions{Name: "ok", Driver: "nfs"}, ErrUnsupported, `"nfs"`},
		{CreateOptions{Name: "ok", DriverOpts: map[string]string{"size": "1g"}}, ErrInvalid, `"size"`},
		{CreateOptions{Name: "ok", DriverOpts: map[string]string{"type": "tmpfs"}}, ErrInvalid, `"device"`},
	}
	for _, c := range cases {
		_, err := s.Create(t.Context(), c.opts)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Create(%+v) = %v, want %v naming %s", c.opts, err, c.want, c.says)
		}
	}
	assertVolumes(t, s)
}

func TestRandomNameVolume(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	v := mustCreate(t, s, CreateOptions{})
	if len(v.Name) != 64 || strings.Trim(v.Name, "0123456789abcdef") != "" {
		t.Errorf("generated name %q is not 64 hex digits", v.Name)
	}
}

func TestInUseSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openStore(t)
	mustCreate(t, s, CreateOptions{Name: "db"})
	if _, err := s.Acquire(ctx, "db", "c0ffee"); err != nil {
		t.Fatal(err)
	}
	again, err := Open(filepath.Dir(s.dir)) // a restarted daemon
	if err != nil {
		t.Fatal(err)
	}
	err = again.Remove(ctx, "db")
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "c0ffee") {
		t.Fatalf("remove in-use volume: %v, want ErrInUse naming c0ffee", err)
	}
	if err := again.ReleaseContainer(ctx, "c0ffee", false); err != nil {
		t.Fatal(err)
	}
	if err := again.Remove(ctx, "db"); err != nil {
		t.Fatal(err)
	}
	if err := again.Remove(ctx, "db"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove twice: %v, want ErrNotFound", err)
	}
}

func TestReleaseContainerAnonymous(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openStore(t)
	named := mustCreate(t, s, CreateOptions{Name: "db"})
	kept, _ := s.CreateAnonymous(ctx, "demo", "c1", "/kept", nil)
	shared, _ := s.CreateAnonymous(ctx, "demo", "c2", "/shared", nil)
	gone, _ := s.CreateAnonymous(ctx, "demo", "c2", "/gone", nil)
	for _, acq := range [][2]string{{named.Name, "c2"}, {shared.Name, "c2"}, {shared.Name, "c3"}, {gone.Name, "c2"}} {
		if _, err := s.Acquire(ctx, acq[0], acq[1]); err != nil {
			t.Fatal(err)
		}
	}
	if gone.Labels[LabelVolume] != "" || !gone.Anonymous() {
		t.Errorf("anonymous labels = %v", gone.Labels)
	}
	if err := s.ReleaseContainer(ctx, "c1", true); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseContainer(ctx, "c2", false); err != nil {
		t.Fatal(err)
	}
	want := []string{kept.Name, shared.Name, named.Name}
	slices.Sort(want)
	assertVolumes(t, s, want...)
}

func TestConcurrentPrepareSharesOneVolume(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, "services:\n  app:\n    image: busybox\n    volumes: [data:/data]\nvolumes:\n  data: {}\n", nil)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, _, err := s.PrepareService(t.Context(), ServiceRequest{
				Project: p, Service: "app", ContainerID: fmt.Sprintf("c%d", i), StateDir: t.TempDir(),
			})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	assertVolumes(t, s, "demo_data")
	if users, _ := s.Users(t.Context(), "demo_data"); len(users) != n {
		t.Errorf("users = %v, want %d containers", users, n)
	}
}
