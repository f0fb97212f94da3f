package spec

import (
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/berth-dev/berth/runtime"
)

// defaultPath is the PATH Docker gives a Linux container before the image's
// and the service's environment apply (moby's oci.DefaultPathEnv).
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// hostNameMax is the longest hostname sethostname(2) accepts
// (HOST_NAME_MAX, see gethostname(2)).
const hostNameMax = 64

// hostname sets the container's hostname and domain name: the service's,
// else the one Options carries, else the first 12 characters of the
// container's ID, as Docker does.
func (t *translation) hostname() error {
	name := t.svc.Hostname
	if name != "" && isJoined(t.svc.NetworkMode) {
		// Docker refuses it: the container shares the other one's UTS name.
		return t.invalid("hostname", "conflicting options: hostname and the network mode %q", t.svc.NetworkMode)
	}
	if name == "" {
		name = t.opts.Hostname
	}
	if name == "" {
		name = t.opts.ID[:min(12, len(t.opts.ID))]
	}
	if len(name) > hostNameMax {
		return t.invalid("hostname", "%q is longer than %d bytes", name, hostNameMax)
	}
	t.cfg.Hostname = name
	t.cfg.Domainname = t.svc.DomainName
	return nil
}

// process sets the user process: arguments, environment, working
// directory and terminal. The user and HOME come in the user step.
func (t *translation) process() error {
	args, err := t.args()
	if err != nil {
		return err
	}
	cwd, err := t.workingDir()
	if err != nil {
		return err
	}
	t.cfg.Process = runtime.Process{
		Args:      args,
		Env:       t.env(),
		Cwd:       cwd,
		TTY:       t.svc.Tty,
		OpenStdin: t.svc.StdinOpen,
	}
	return nil
}

// args merges the service's entrypoint and command with the image's as
// Docker's daemon merges a container's config with its image's: a non-empty
// entrypoint replaces the image's and drops the image's command (unless the
// service gives one); an empty one ("entrypoint: []" or "") clears the
// image's entrypoint but keeps its command. An empty command alone
// ("command: []") keeps the image's command, as in Docker: only a non-empty
// one replaces it.
func (t *translation) args() ([]string, error) {
	entrypoint, cmd := []string(t.svc.Entrypoint), []string(t.svc.Command)
	if len(entrypoint) == 0 {
		if len(cmd) == 0 {
			cmd = t.img.Cmd
		}
		if entrypoint == nil {
			entrypoint = t.img.Entrypoint
		}
	}
	args := slices.Concat(entrypoint, cmd) // a copy: the image's slices stay its own
	if len(args) == 0 {
		return nil, t.invalid("command", "no command specified: neither the service nor its image %q sets an entrypoint or a command", t.img.Ref)
	}
	return args, nil
}

// workingDir is the service's working_dir, else the image's, else "/".
// Docker refuses a relative one.
func (t *translation) workingDir() (string, error) {
	dir := t.svc.WorkingDir
	if dir == "" {
		dir = t.img.WorkingDir
	}
	if dir == "" {
		return "/", nil
	}
	if !path.IsAbs(dir) {
		return "", t.invalid("working_dir", "%q is not an absolute path", dir)
	}
	return path.Clean(dir), nil
}

// env builds the environment as Docker does: PATH (the default), HOSTNAME
// and, with a terminal, TERM=xterm come first; then the service's
// environment (keys sorted, for a stable config hash) and the entries of
// the image's that the service does not name replace or extend them. A
// service variable without a value (nil: "FOO" with no "=" and nothing to
// resolve it from) unsets the variable, even the image's.
func (t *translation) env() []string {
	base := []string{"PATH=" + defaultPath, "HOSTNAME=" + t.cfg.Hostname}
	if t.svc.Tty {
		base = append(base, "TERM=xterm")
	}
	service := t.serviceEnv()
	named := make(map[string]bool, len(service))
	for _, e := range service {
		named[envKey(e)] = true
	}
	for _, e := range t.img.Env {
		if !named[envKey(e)] {
			service = append(service, e)
		}
	}
	return overrideEnv(base, service)
}

// serviceEnv is the service's environment in Docker's form: KEY=VALUE, or
// a bare KEY for a variable to unset.
func (t *translation) serviceEnv() []string {
	env := make([]string, 0, len(t.svc.Environment))
	for _, k := range slices.Sorted(maps.Keys(t.svc.Environment)) {
		if v := t.svc.Environment[k]; v != nil {
			env = append(env, k+"="+*v)
		} else {
			env = append(env, k)
		}
	}
	return env
}

// overrideEnv applies overrides to base: KEY=VALUE replaces KEY in place or
// is appended; a bare KEY removes it.
func overrideEnv(base, overrides []string) []string {
	env := slices.Clone(base)
	for _, o := range overrides {
		key, _, set := strings.Cut(o, "=")
		i := slices.IndexFunc(env, func(e string) bool { return envKey(e) == key })
		switch {
		case !set && i >= 0:
			env = slices.Delete(env, i, i+1)
		case set && i >= 0:
			env[i] = o
		case set:
			env = append(env, o)
		}
	}
	return env
}

// envKey is the name of a KEY=VALUE entry.
func envKey(e string) string {
	key, _, _ := strings.Cut(e, "=")
	return key
}

// isJoined reports whether a namespace mode joins another container's.
func isJoined(mode string) bool {
	return strings.HasPrefix(mode, "service:") || strings.HasPrefix(mode, "container:")
}
