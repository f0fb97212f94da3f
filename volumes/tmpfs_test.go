package volumes

import (
	"slices"
	"testing"
)

func TestMergeTmpfsOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		extra, want []string
	}{
		{nil, []string{"nosuid", "nodev", "noexec"}},
		{[]string{"exec", "size=64m"}, []string{"nosuid", "nodev", "exec", "size=64m"}},
		{[]string{"size=1m", "mode=1777", "size=2m"}, []string{"nosuid", "nodev", "noexec", "mode=1777", "size=2m"}},
		{[]string{"rw", "ro"}, []string{"nosuid", "nodev", "noexec", "ro"}},
	}
	for _, c := range cases {
		if got := mergeTmpfsOptions(tmpfsDefaults, c.extra); !slices.Equal(got, c.want) {
			t.Errorf("merge(%v) = %v, want %v", c.extra, got, c.want)
		}
	}
}

func TestPrepareTmpfs(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    tmpfs:
      - /run
      - /cache:exec,size=10m
    volumes:
      - type: tmpfs
        target: /scratch
        tmpfs: {size: 1048576, mode: 01777}
`, nil)
	mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"/run":     {"nosuid", "nodev", "noexec"},
		"/cache":   {"nosuid", "nodev", "exec", "size=10m"},
		"/scratch": {"nosuid", "nodev", "noexec", "size=1048576", "mode=1777"},
	}
	for dest, opts := range want {
		m := findMount(t, mounts, dest)
		if m.Type != "tmpfs" || m.Source != "tmpfs" || !slices.Equal(m.Options, opts) {
			t.Errorf("%s = %+v, want tmpfs with %v", dest, m, opts)
		}
	}
}
