package volumes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/roottest"
)

// testMountFlags are the OCI options mountAt understands, as runc applies
// them; anything else is filesystem data.
var testMountFlags = map[string]uintptr{
	"bind": unix.MS_BIND, "rbind": unix.MS_BIND | unix.MS_REC, "ro": unix.MS_RDONLY, "rw": 0,
	"nosuid": unix.MS_NOSUID, "nodev": unix.MS_NODEV, "noexec": unix.MS_NOEXEC,
}

var testPropagation = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
}

// mountAt mounts m on target the way a runtime would, and unmounts it when
// the test ends (registered after target was made, so it runs before
// target's removal).
func mountAt(t *testing.T, m Mount, target string) {
	t.Helper()
	var flags, propagation uintptr
	var data []string
	for _, o := range m.Options {
		if f, ok := testMountFlags[o]; ok {
			flags |= f
		} else if p, ok := testPropagation[o]; ok {
			propagation = p
		} else {
			data = append(data, o)
		}
	}
	source, fstype := m.Source, m.Type
	if m.Type == "bind" {
		fstype = ""
	}
	if err := unix.Mount(source, target, fstype, flags, strings.Join(data, ",")); err != nil {
		t.Fatalf("mount %+v on %s: %v", m, target, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", target, err)
		}
	})
	// mount(2): a bind mount ignores MS_RDONLY until remounted.
	if m.Type == "bind" && flags&unix.MS_RDONLY != 0 {
		remount := unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY
		if err := unix.Mount("", target, "", uintptr(remount), ""); err != nil {
			t.Fatalf("remount %s read-only: %v", target, err)
		}
	}
	if propagation != 0 {
		if err := unix.Mount("", target, "", propagation, ""); err != nil {
			t.Fatalf("propagation of %s: %v", target, err)
		}
	}
}

func TestRootReadOnlyBindRefusesWrites(t *testing.T) {
	roottest.Require(t)
	s := openStore(t)
	p := loadProject(t, "services:\n  app:\n    image: busybox\n    volumes: [./src:/src:ro, ./src:/rw]\n", nil)
	mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	ro, rw := t.TempDir(), t.TempDir()
	mountAt(t, findMount(t, mounts, "/src"), ro)
	mountAt(t, findMount(t, mounts, "/rw"), rw)
	err = os.WriteFile(filepath.Join(ro, "f"), []byte("x"), 0o644)
	if !errors.Is(err, unix.EROFS) {
		t.Fatalf("write through a read-only bind: %v, want EROFS", err)
	}
	if err := os.WriteFile(filepath.Join(rw, "f"), []byte("x"), 0o644); err != nil {
		t.Fatalf("write through a read-write bind: %v", err)
	}
	if data, err := os.ReadFile(filepath.Join(ro, "f")); err != nil || string(data) != "x" {
		t.Errorf("read through the read-only bind: %q, %v", data, err)
	}
}

func TestRootSharedVolumeBetweenServices(t *testing.T) {
	roottest.Require(t)
	ctx := t.Context()
	s := openStore(t)
	p := loadProject(t, `
services:
  writer: {image: busybox, volumes: [shared:/out]}
  reader: {image: busybox, volumes: ["shared:/in:ro"]}
volumes:
  shared: {}
`, nil)
	w, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "writer", ContainerID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "reader", ContainerID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	out, in := t.TempDir(), t.TempDir()
	mountAt(t, findMount(t, w, "/out"), out)
	mountAt(t, findMount(t, r, "/in"), in)
	if err := os.WriteFile(filepath.Join(out, "msg"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(in, "msg")); err != nil || string(data) != "hello" {
		t.Fatalf("reader sees %q, %v; want the writer's file", data, err)
	}
	if users, _ := s.Users(ctx, "demo_shared"); len(users) != 2 {
		t.Errorf("users = %v, want both containers", users)
	}
	if err := s.Remove(ctx, "demo_shared"); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "r1") {
		t.Errorf("rm of a volume in use: %v, want ErrInUse naming the containers", err)
	}
}

func TestRootTmpfsVolumeSize(t *testing.T) {
	roottest.Require(t)
	ctx := t.Context()
	s := openStore(t)
	v := mustCreate(t, s, CreateOptions{Name: "scratch", DriverOpts: map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=1m,mode=0770"}})
	if _, err := s.Acquire(ctx, v.Name, "c1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(v.Mountpoint, unix.MNT_DETACH) }) // only if the test failed half-way
	var fs unix.Statfs_t
	if err := unix.Statfs(v.Mountpoint, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type != unix.TMPFS_MAGIC || fs.Blocks*uint64(fs.Bsize) != 1<<20 {
		t.Fatalf("volume filesystem type %#x size %d, want tmpfs of 1 MiB", fs.Type, fs.Blocks*uint64(fs.Bsize))
	}
	err := os.WriteFile(filepath.Join(v.Mountpoint, "big"), make([]byte, 2<<20), 0o644)
	if !errors.Is(err, unix.ENOSPC) {
		t.Errorf("writing 2 MiB into a 1 MiB tmpfs volume: %v, want ENOSPC", err)
	}
	if err := s.Remove(ctx, v.Name); !errors.Is(err, ErrInUse) {
		t.Errorf("rm while in use: %v", err)
	}
	if err := s.ReleaseContainer(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	if mounted, _ := isMountpoint(v.Mountpoint); mounted {
		t.Error("tmpfs still mounted after its last user left")
	}
	if err := s.Remove(ctx, v.Name); err != nil {
		t.Fatal(err)
	}
}

func TestRootBindDriverKeepsHostData(t *testing.T) {
	roottest.Require(t)
	ctx := t.Context()
	s := openStore(t)
	host := t.TempDir()
	writeTree(t, host, map[string]string{"precious": "user data"})
	v := mustCreate(t, s, CreateOptions{Name: "hostdir", DriverOpts: map[string]string{"type": "none", "o": "bind", "device": host}})
	if _, err := s.Acquire(ctx, v.Name, "c1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(v.Mountpoint, unix.MNT_DETACH) })
	if data, err := os.ReadFile(filepath.Join(v.Mountpoint, "precious")); err != nil || string(data) != "user data" {
		t.Fatalf("bound host directory not visible in the volume: %q, %v", data, err)
	}
	if err := s.ReleaseContainer(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, v.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(host, "precious")); err != nil {
		t.Fatalf("removing the volume deleted the host directory's data: %v", err)
	}
}

func TestRootRemoveRefusesNestedMount(t *testing.T) {
	roottest.Require(t)
	ctx := t.Context()
	s := openStore(t)
	v := mustCreate(t, s, CreateOptions{Name: "nested"})
	host := t.TempDir()
	writeTree(t, host, map[string]string{"precious": "user data"})
	inner := filepath.Join(v.Mountpoint, "inner")
	if err := os.Mkdir(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	mountAt(t, Mount{Source: host, Type: "bind", Options: []string{"rbind", "rprivate"}}, inner)
	if err := s.Remove(ctx, v.Name); err == nil {
		t.Fatal("removed a volume through a mount inside it")
	}
	if _, err := os.Stat(filepath.Join(host, "precious")); err != nil {
		t.Fatalf("data behind the nested mount was deleted: %v", err)
	}
}
