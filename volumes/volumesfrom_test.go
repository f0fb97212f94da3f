package volumes

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// mountTable is a MountSource from a fixed table.
type mountTable map[string][]Mount

func (m mountTable) Mounts(_ context.Context, ref VolumesFrom) ([]Mount, error) {
	key := ref.Service
	if ref.Container != "" {
		key = "container:" + ref.Container
	}
	mounts, ok := m[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return mounts, nil
}

func TestPrepareVolumesFrom(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  db:
    image: busybox
  app:
    image: busybox
    volumes_from: ["db:ro", "container:legacy"]
    volumes: [/own]
`, nil)
	mustCreate(t, s, CreateOptions{Name: "dbdata"})
	src := mountTable{
		"db": {
			{Source: "/x", Destination: "/data", Type: "bind", Options: []string{"rbind", "rw"}, Volume: "dbdata"},
			{Source: "tmpfs", Destination: "/tmp", Type: "tmpfs"},
		},
		"container:legacy": {{Source: "/y", Destination: "/own", Type: "bind"}, {Source: "/z", Destination: "/legacy", Type: "bind"}},
	}
	req := ServiceRequest{Project: p, Service: "app", ContainerID: "c1", VolumesFrom: src, ImageVolumes: []string{"/data", "/img"}}
	mounts, _, err := prepare(t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if m := findMount(t, mounts, "/data"); !slices.Equal(m.Options, []string{"rbind", "ro"}) {
		t.Errorf("volumes_from :ro mount options = %v", m.Options)
	}
	if m := findMount(t, mounts, "/own"); m.Source == "/y" {
		t.Error("volumes_from overrode the service's own mount")
	}
	findMount(t, mounts, "/legacy")
	if m := findMount(t, mounts, "/img"); m.Volume == "" {
		t.Errorf("image VOLUME /img has no anonymous volume: %+v", m)
	}
	if len(mounts) != 4 {
		t.Errorf("mounts = %+v, want /data (from db, not the image), /own, /legacy, /img; no tmpfs", mounts)
	}
	if users, _ := s.Users(t.Context(), "dbdata"); !slices.Equal(users, []string{"c1"}) {
		t.Errorf("volumes_from volume users = %v, want [c1]", users)
	}
}

func TestParseVolumesFrom(t *testing.T) {
	t.Parallel()
	cases := map[string]VolumesFrom{
		"db":               {Service: "db"},
		"db:ro":            {Service: "db", ReadOnly: true},
		"db:rw":            {Service: "db"},
		"container:old":    {Container: "old"},
		"container:old:ro": {Container: "old", ReadOnly: true},
	}
	for spec, want := range cases {
		if got, err := parseVolumesFrom(spec); err != nil || got != want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for _, bad := range []string{"db:rx", "container:", ":ro"} {
		if _, err := parseVolumesFrom(bad); !errorIs(err, ErrInvalid) {
			t.Errorf("parse(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
