// Package spec translates a compose service and its image's config into a
// runtime.ContainerConfig, doing what Docker does when Docker Compose
// creates a container for that service: the merge of entrypoint, command,
// environment and user with the image's defaults, and the host-config keys
// (capabilities, namespaces, resources, ulimits, tmpfs, ...).
//
// The translation is pure: no kernel, no network. Its only input beyond its
// arguments is the image's /etc/passwd and /etc/group, read through a
// FileReader so that tests pass them in memory. Compose keys no part of
// berth honours are warned about when the project loads (project's table);
// what this translation warns about are values of keys it does honour that
// it cannot act on (an apparmor profile, a log option), named with their
// service and key.
package spec

import (
	"errors"
	"fmt"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// ErrInvalid is wrapped by every error about a value of the service or the
// image that Docker would refuse; other errors are failures to read the
// image's files.
var ErrInvalid = errors.New("invalid value")

// Options carries what the translation needs beyond the service and its
// image: the container's identity and resolvers for references to other
// containers. The zero value is usable for a service that references none.
type Options struct {
	// ID is the container's ID; its first 12 characters are the default
	// hostname, as Docker does.
	ID string
	// Hostname, when set, is the hostname used when the service names
	// none. Docker uses the host's own for network_mode: host, and the
	// other container's for network_mode: service:x or container:x; the
	// caller knows them, this package does not.
	Hostname string
	// ProjectDir resolves a relative seccomp profile path, as Docker Compose
	// resolves it against the project directory.
	ProjectDir string
	// ReadFile reads a file of the image's root filesystem by its absolute
	// path; nil reads it through the image's LowerDirs (LayerReader).
	ReadFile FileReader
	// Namespace resolves a reference to another service's or container's
	// namespace ("service:db", "container:abc") for kind "net", "pid" or
	// "ipc" to the path of that namespace (/proc/<pid>/ns/<kind>). Nil
	// makes every such reference an error.
	Namespace func(kind, ref string) (string, error)
	// HostCPUs, when positive, bounds cpus as Docker does ("Range of CPUs
	// is from 0.01 to N").
	HostCPUs int
}

// FileReader reads one file of an image's root filesystem by its absolute
// path inside the image. A missing file is an error satisfying
// errors.Is(err, fs.ErrNotExist).
type FileReader func(name string) ([]byte, error)

// Warning names a compose key (or one value of it) that the translation
// leaves out, so that the caller can print it or, with --strict, refuse.
type Warning struct {
	Service string
	Key     string // as written in a compose file: "cgroup_parent", "deploy.placement", "security_opt"
	Detail  string // what is ignored and, when useful, why
}

func (w Warning) String() string {
	if w.Detail == "" {
		return fmt.Sprintf("service %q: %s is not supported by berth and is ignored", w.Service, w.Key)
	}
	return fmt.Sprintf("service %q: %s: %s", w.Service, w.Key, w.Detail)
}

// translation is the state the steps of FromService share.
type translation struct {
	svc      *types.ServiceConfig
	img      *runtime.ImageConfig
	opts     Options
	cfg      *runtime.ContainerConfig
	warnings []Warning
}

// steps are the concerns of a translation in order: process needs the
// hostname for HOSTNAME, and user comes after process to add HOME only if
// the environment has none.
var steps = []func(*translation) error{
	(*translation).hostname,
	(*translation).process,
	(*translation).user,
	(*translation).namespaces,
	(*translation).shm,
	(*translation).capabilities,
	(*translation).securityOpts,
	(*translation).sysctls,
	(*translation).tmpfs,
	(*translation).devices,
	(*translation).resources,
	(*translation).oomScore,
	(*translation).ulimits,
	(*translation).stop,
	(*translation).logging,
}

// FromService translates svc, whose image has the config img, into the
// config of one of its containers. The warnings name every key of svc that
// is set but honoured neither here nor elsewhere in berth. An error names
// the service and the key; it wraps ErrInvalid when Docker would refuse
// the value too.
func FromService(svc types.ServiceConfig, img runtime.ImageConfig, opts Options) (*runtime.ContainerConfig, []Warning, error) {
	if opts.ReadFile == nil {
		opts.ReadFile = LayerReader(img.LowerDirs)
	}
	t := &translation{svc: &svc, img: &img, opts: opts, cfg: &runtime.ContainerConfig{
		ID:         opts.ID,
		LowerDirs:  slices.Clone(img.LowerDirs),
		ReadOnly:   svc.ReadOnly,
		Privileged: svc.Privileged,
		Init:       svc.Init != nil && *svc.Init,
	}}
	for _, step := range steps {
		if err := step(t); err != nil {
			return nil, nil, err
		}
	}
	return t.cfg, t.warnings, nil
}

// invalid is the error for a value of key that Docker would refuse.
// The format may wrap a further error with %w.
func (t *translation) invalid(key, format string, args ...any) error {
	return fmt.Errorf("service %q: %s: %w: "+format, append([]any{t.svc.Name, key, ErrInvalid}, args...)...)
}

// warn records that a value of key is left out.
func (t *translation) warn(key, format string, args ...any) {
	t.warnings = append(t.warnings, Warning{Service: t.svc.Name, Key: key, Detail: fmt.Sprintf(format, args...)})
}
