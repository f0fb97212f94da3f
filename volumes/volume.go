// Package volumes keeps the data of a stack: named and anonymous volumes
// stored under berth's root, bind and tmpfs mounts, copy-up of image content
// into empty volumes, and the files behind compose configs and secrets.
//
// It never imports the runtime or the network code: its output is a list of
// [Mount] values that the scheduler hands to the runtime. The scheduler
// drives it through a [Store]:
//
//   - `up`: [Store.EnsureProjectVolumes] once, then for each container
//     [Store.PrepareService] (Previous set on a recreate, RenewAnonymous
//     for `up -V`), and the mounts go into the container's config;
//   - removing a container: [Store.ReleaseContainer], keeping its
//     anonymous volumes unless `-v` (as `docker rm -v`);
//   - `down -v`: [Store.ReleaseContainer] for each container, then
//     [Store.RemoveProjectVolumes].
package volumes

import (
	"errors"
	"fmt"
)

// Errors returned by the store and by service preparation; check them with
// errors.Is.
var (
	// ErrNotFound: no volume by that name (or no container for volumes_from).
	ErrNotFound = errors.New("no such volume")
	// ErrExists: a volume by that name already exists.
	ErrExists = errors.New("volume already exists")
	// ErrInUse: the volume is referenced by at least one container.
	ErrInUse = errors.New("volume is in use")
	// ErrInvalid: a name, option or compose key berth cannot accept.
	ErrInvalid = errors.New("invalid")
	// ErrUnsupported: a driver or mount type berth does not implement.
	ErrUnsupported = errors.New("not supported")
)

// Labels Docker and Docker Compose put on volumes; tools read them.
const (
	LabelProject   = "com.docker.compose.project"
	LabelVolume    = "com.docker.compose.volume"
	LabelVersion   = "com.docker.compose.version"
	LabelAnonymous = "com.docker.volume.anonymous"
)

// DriverLocal is the only volume driver berth has, Docker's "local".
const DriverLocal = "local"

// Volume is a volume as `docker volume inspect` shows it.
type Volume struct {
	CreatedAt  string
	Driver     string
	Labels     map[string]string
	Mountpoint string
	Name       string
	Options    map[string]string
	Scope      string
}

// Anonymous reports whether Docker would call v an anonymous volume.
func (v Volume) Anonymous() bool {
	_, ok := v.Labels[LabelAnonymous]
	return ok
}

// Mount is one filesystem to mount into a container, in the OCI runtime
// spec's terms; the scheduler converts it to the runtime's own type.
type Mount struct {
	Source      string
	Destination string
	Type        string   // "bind" or "tmpfs"
	Options     []string // OCI mount options: "rbind", "ro", "rprivate", "size=..."
	// Volume names the berth volume behind Source; empty for binds and
	// tmpfs. It lets volumes_from keep that volume in use.
	Volume string
}

// Warning is something berth accepted but does not honour fully; the CLI
// shows it, and --strict turns it into an error.
type Warning struct {
	Service string
	Key     string // the compose key, e.g. "volumes[1].bind.selinux"
	Message string
}

// String names the service (when the warning is about one), the key and
// the problem.
func (w Warning) String() string {
	if w.Service == "" {
		return fmt.Sprintf("%s: %s", w.Key, w.Message)
	}
	return fmt.Sprintf("service %q: %s: %s", w.Service, w.Key, w.Message)
}

// invalidError is an ErrInvalid error whose message says what is wrong on
// its own, without the sentinel's text.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}
