package volumes

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// driverMount is what the local driver mounts on a volume's mount point,
// from driver_opts type, o and device, as Docker's local driver does:
// mount(2) of device with type, the flags named in o and the rest of o as
// the filesystem's data.
type driverMount struct {
	Type   string
	Device string
	Flags  uintptr
	Data   string
}

// mountFlags are the options of o that are mount(2) flags rather than
// filesystem data (mount(8) names); false entries clear the flag.
var mountFlags = map[string]struct {
	clear bool
	flag  uintptr
}{
	"ro": {false, unix.MS_RDONLY}, "rw": {true, unix.MS_RDONLY},
	"bind": {false, unix.MS_BIND}, "rbind": {false, unix.MS_BIND | unix.MS_REC},
	"nosuid": {false, unix.MS_NOSUID}, "suid": {true, unix.MS_NOSUID},
	"nodev": {false, unix.MS_NODEV}, "dev": {true, unix.MS_NODEV},
	"noexec": {false, unix.MS_NOEXEC}, "exec": {true, unix.MS_NOEXEC},
	"sync": {false, unix.MS_SYNCHRONOUS}, "async": {true, unix.MS_SYNCHRONOUS},
	"noatime": {false, unix.MS_NOATIME}, "atime": {true, unix.MS_NOATIME},
	"nodiratime": {false, unix.MS_NODIRATIME}, "diratime": {true, unix.MS_NODIRATIME},
	"relatime": {false, unix.MS_RELATIME}, "strictatime": {false, unix.MS_STRICTATIME},
	"defaults": {true, 0},
}

// parseDriverOpts checks driver_opts as Docker's local driver does and
// returns nil when the volume is a plain directory.
func parseDriverOpts(opts map[string]string) (*driverMount, error) {
	for k := range opts {
		if k != "type" && k != "o" && k != "device" {
			return nil, invalidf("driver option %q: the local driver takes type, o and device", k)
		}
	}
	if len(opts) == 0 {
		return nil, nil
	}
	if opts["device"] == "" {
		return nil, invalidf("missing required driver option \"device\"")
	}
	m := &driverMount{Type: opts["type"], Device: opts["device"]}
	if m.Type == "" {
		m.Type = "none"
	}
	var data []string
	for _, o := range strings.Split(opts["o"], ",") {
		f, ok := mountFlags[o]
		switch {
		case o == "":
		case !ok:
			data = append(data, o)
		case f.clear:
			m.Flags &^= f.flag
		default:
			m.Flags |= f.flag
		}
	}
	m.Data = strings.Join(data, ",")
	return m, nil
}

// String describes the mount for error messages.
func (m *driverMount) String() string {
	return fmt.Sprintf("%s (type %s, flags %#x, data %q)", m.Device, m.Type, m.Flags, m.Data)
}

// mountDriver mounts the volume's driver filesystem unless it is a plain
// directory or already mounted (by an earlier user, before a restart).
func mountDriver(rec record) error {
	m, err := parseDriverOpts(rec.Options)
	if m == nil || err != nil {
		return err
	}
	if mounted, err := isMountpoint(rec.Mountpoint); mounted || err != nil {
		return err
	}
	if err := unix.Mount(m.Device, rec.Mountpoint, m.Type, m.Flags, m.Data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", m, rec.Mountpoint, err)
	}
	// mount(2): MS_RDONLY is ignored when creating a bind mount; it takes
	// a second, remounting call.
	if m.Flags&unix.MS_BIND != 0 && m.Flags&unix.MS_RDONLY != 0 {
		flags := unix.MS_REMOUNT | unix.MS_BIND | m.Flags
		if err := unix.Mount("", rec.Mountpoint, "", flags, ""); err != nil {
			return fmt.Errorf("remount %s read-only: %w", rec.Mountpoint, unmountAfter(err, rec.Mountpoint))
		}
	}
	return nil
}

func unmountAfter(err error, path string) error {
	if uerr := unix.Unmount(path, 0); uerr != nil {
		return fmt.Errorf("%w (and unmount: %w)", err, uerr)
	}
	return err
}

// unmountDriver undoes mountDriver. A busy filesystem is an error rather
// than a lazy detach: the volume must not look free while still in use.
func unmountDriver(rec record) error {
	if m, _ := parseDriverOpts(rec.Options); m == nil {
		return nil
	}
	mounted, err := isMountpoint(rec.Mountpoint)
	if !mounted || err != nil {
		return err
	}
	if err := unix.Unmount(rec.Mountpoint, 0); err != nil {
		return fmt.Errorf("unmount %s: %w", rec.Mountpoint, err)
	}
	return nil
}

// isMountpoint reads /proc/self/mountinfo (proc(5)): a bind mount from the
// same filesystem has the same st_dev as its parent, so comparing devices
// is not enough.
func isMountpoint(path string) (bool, error) {
	points, err := mountPoints()
	if err != nil {
		return false, err
	}
	return slices.Contains(points, path), nil
}
