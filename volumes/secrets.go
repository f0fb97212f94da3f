package volumes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sys/unix"
)

// defaultFileMode is the mode of a config or secret file unless the service
// sets one, as Docker Compose.
const defaultFileMode = 0o444

// filePlan is one config or secret a service uses: its content, and the
// file that will carry it into the container.
type filePlan struct {
	kind     string // "configs" or "secrets"
	name     string
	content  []byte
	target   string
	uid, gid int
	mode     os.FileMode
}

// planSecrets reads the secrets service refers to, defaulting targets to
// /run/secrets/<name>.
func planSecrets(p *types.Project, s types.ServiceConfig) ([]filePlan, error) {
	plans := make([]filePlan, 0, len(s.Secrets))
	for i, ref := range s.Secrets {
		obj, ok := p.Secrets[ref.Source]
		if !ok {
			return nil, invalidf("service %q: secrets[%d]: undefined secret %q", s.Name, i, ref.Source)
		}
		plan, err := planFile(p, "secrets", "/run/secrets", types.FileReferenceConfig(ref), types.FileObjectConfig(obj))
		if err != nil {
			return nil, fmt.Errorf("service %q: secret %q: %w", s.Name, ref.Source, err)
		}
		plans = append(plans, plan)
	}
	return plans, nil
}

// planConfigs reads the configs service refers to, defaulting targets to
// /<name>.
func planConfigs(p *types.Project, s types.ServiceConfig) ([]filePlan, error) {
	plans := make([]filePlan, 0, len(s.Configs))
	for i, ref := range s.Configs {
		obj, ok := p.Configs[ref.Source]
		if !ok {
			return nil, invalidf("service %q: configs[%d]: undefined config %q", s.Name, i, ref.Source)
		}
		plan, err := planFile(p, "configs", "/", types.FileReferenceConfig(ref), types.FileObjectConfig(obj))
		if err != nil {
			return nil, fmt.Errorf("service %q: config %q: %w", s.Name, ref.Source, err)
		}
		plans = append(plans, plan)
	}
	return plans, nil
}

func planFile(p *types.Project, kind, dir string, ref types.FileReferenceConfig, obj types.FileObjectConfig) (filePlan, error) {
	content, err := fileContent(p, obj)
	if err != nil {
		return filePlan{}, err
	}
	plan := filePlan{kind: kind, name: ref.Source, content: content, target: ref.Target, mode: defaultFileMode}
	if plan.target == "" {
		plan.target = ref.Source
	}
	if !path.IsAbs(plan.target) {
		plan.target = path.Join(dir, plan.target)
	}
	if ref.Mode != nil {
		plan.mode = os.FileMode(*ref.Mode) & 0o7777
	}
	if plan.uid, err = fileOwner("uid", ref.UID); err != nil {
		return filePlan{}, err
	}
	plan.gid, err = fileOwner("gid", ref.GID)
	return plan, err
}

// fileContent reads a config or secret from its file, its environment
// variable or its inline content. compose-go has already copied a found
// environment variable into Content; a missing one is an error here.
func fileContent(p *types.Project, obj types.FileObjectConfig) ([]byte, error) {
	switch {
	case bool(obj.External):
		return nil, fmt.Errorf("external: %w: berth has no swarm to fetch it from", ErrUnsupported)
	case obj.File != "":
		return readSourceFile(p.WorkingDir, obj.File)
	case obj.Environment != "":
		if obj.Content != "" {
			return []byte(obj.Content), nil
		}
		value, ok := p.Environment[obj.Environment]
		if !ok {
			return nil, invalidf("environment variable %q is not set", obj.Environment)
		}
		return []byte(value), nil
	case obj.Content != "":
		return []byte(obj.Content), nil
	}
	return nil, invalidf("no file, environment or content")
}

func readSourceFile(workingDir, file string) ([]byte, error) {
	if !filepath.IsAbs(file) {
		file = filepath.Join(workingDir, file)
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, invalidf("file %q does not exist", file)
	}
	if err != nil {
		return nil, fmt.Errorf("file %q: %w", file, err)
	}
	return data, nil
}

// fileOwner reads a uid or gid; unset is -1, which chown(2) leaves as is:
// the daemon's own user, root in practice.
func fileOwner(field, value string) (int, error) {
	if value == "" {
		return -1, nil
	}
	id, err := strconv.Atoi(value)
	if err != nil || id < 0 {
		return 0, invalidf("%s %q is not a numeric id", field, value)
	}
	return id, nil
}

// write puts the file under the container's state directory, index making
// two references to one source distinct, and returns its read-only mount.
// The directory is 0700: only the mount gives the container its content.
func (f filePlan) write(stateDir string, index int) (Mount, error) {
	dir := filepath.Join(stateDir, f.kind)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Mount{}, fmt.Errorf("%s %q: %w", f.kind, f.name, err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%d-%s", index, f.name))
	if err := writeOwnedFile(file, f.content, f.uid, f.gid, f.mode); err != nil {
		return Mount{}, fmt.Errorf("%s %q: %w", f.kind, f.name, err)
	}
	return Mount{Source: file, Destination: f.target, Type: "bind", Options: []string{"rbind", "ro", "rprivate"}}, nil
}

func writeOwnedFile(file string, content []byte, uid, gid int, mode os.FileMode) error {
	tmp := file + ".tmp"
	err := os.WriteFile(tmp, content, 0o600)
	if err == nil {
		err = os.Lchown(tmp, uid, gid)
	}
	if err == nil {
		err = unix.Chmod(tmp, uint32(mode)) // after chown, which clears set-id bits
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		return errors.Join(err, ignoreNotExist(os.Remove(tmp)))
	}
	return nil
}

func ignoreNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
