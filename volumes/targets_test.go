package volumes

import (
	"slices"
	"testing"
)

func TestPrepareOrdersParentsFirst(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    tmpfs: [/a/b/c]
    volumes: [/a/b, /a]
`, nil)
	mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range mounts {
		order = append(order, m.Destination)
	}
	if !slices.Equal(order, []string{"/a", "/a/b", "/a/b/c"}) {
		t.Errorf("mount order = %v", order)
	}
}
