package volumes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/types"
)

// propagations are the mount propagation modes Docker accepts for binds
// (mount_namespaces(7)); rprivate is the default.
var propagations = map[string]bool{
	"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true,
}

// bindPlan is a bind mount and what its host path needs before mounting.
type bindPlan struct {
	mount  Mount
	create bool // the host path is missing and may be created as a directory
}

// planBind translates one bind entry of a service. compose-go's loader has
// already made relative sources absolute against the project directory;
// workingDir covers a project loaded without that step. The short syntax
// (and a long one with a bind: block, where compose-go defaults
// create_host_path to true) may create a missing source as a directory; a
// long syntax without it may not.
func planBind(workingDir string, key string, v types.ServiceVolumeConfig) (bindPlan, []string, error) {
	source := v.Source
	if !filepath.IsAbs(source) {
		source = filepath.Join(workingDir, source)
	}
	opts, notes, err := bindOptions(key, v)
	if err != nil {
		return bindPlan{}, nil, err
	}
	plan := bindPlan{mount: Mount{Source: source, Destination: v.Target, Type: "bind", Options: opts}}
	_, err = os.Stat(source)
	switch {
	case err == nil:
	case !errors.Is(err, fs.ErrNotExist):
		return bindPlan{}, nil, fmt.Errorf("%s: bind source %q: %w", key, source, err)
	case v.Bind == nil || !bool(v.Bind.CreateHostPath):
		return bindPlan{}, nil, invalidf("%s: bind source %q does not exist (set bind.create_host_path: true to create it)", key, source)
	default:
		plan.create = true
	}
	return plan, notes, nil
}

// bindOptions returns the OCI options of a bind and warnings for what is
// accepted but ignored.
func bindOptions(key string, v types.ServiceVolumeConfig) ([]string, []string, error) {
	rec, propagation, selinux := "rbind", "rprivate", ""
	var extra []string
	if b := v.Bind; b != nil {
		if b.Propagation != "" {
			propagation = b.Propagation
		}
		selinux = b.SELinux
		switch b.Recursive {
		case "", "enabled", "writable":
		case "disabled":
			rec = "bind"
		case "readonly":
			extra = append(extra, "rro")
		default:
			return nil, nil, invalidf("%s: bind.recursive %q: use enabled, disabled, writable or readonly", key, b.Recursive)
		}
	}
	if !propagations[propagation] {
		return nil, nil, invalidf("%s: bind.propagation %q: use rprivate, private, rshared, shared, rslave or slave", key, propagation)
	}
	opts := append([]string{rec}, accessOption(v.ReadOnly))
	opts = append(append(opts, extra...), propagation)
	return opts, selinuxNote(selinux), nil
}

func accessOption(readOnly bool) string {
	if readOnly {
		return "ro"
	}
	return "rw"
}

func selinuxNote(label string) []string {
	if label == "" {
		return nil
	}
	return []string{fmt.Sprintf("SELinux relabelling %q is accepted but not done: berth does not label files", label)}
}

// createHostPath makes a missing bind source directory and returns the
// topmost directory it created, for the undo.
func createHostPath(path string) (string, error) {
	top := path
	for parent := filepath.Dir(top); parent != top; parent = filepath.Dir(top) {
		if _, err := os.Lstat(parent); err == nil {
			break
		}
		top = parent
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return "", fmt.Errorf("create bind source %q: %w", path, err)
	}
	return top, nil
}
