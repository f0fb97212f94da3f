package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
)

// runc drives Debian's runc on a bundle of the same rootfs.
type runc struct {
	path, root, bundle, rootfs string
}

// prepare writes the bundle's config.json: `runc spec` with the rootfs
// and no terminal.
func (r *runc) prepare() error {
	if err := os.MkdirAll(r.bundle, 0o755); err != nil {
		return err
	}
	cmd := exec.Command(r.path, "spec", "--bundle", r.bundle)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("runc spec: %w: %s", err, out)
	}
	return r.edit(func(spec map[string]any) {
		spec["root"] = map[string]any{"path": r.rootfs, "readonly": true}
		spec["process"].(map[string]any)["terminal"] = false
	})
}

// prepareFromBerth writes the bundle's config.json from the spec berth
// generates for a container (default seccomp profile), pointed at the
// plain rootfs and runc's own cgroup.
func (r *runc) prepareFromBerth(ctx context.Context, rt *libct.Runtime, berthRoot, rootfs string) error {
	const id = "spec-probe"
	cfg := &runtime.ContainerConfig{
		ID: id, LowerDirs: []string{rootfs},
		Process: runtime.Process{Args: []string{"/bin/true"}, Env: []string{"PATH=/bin"}, Cwd: "/"},
	}
	if _, err := rt.Create(ctx, cfg); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(berthRoot, "containers", id, "config.json"))
	stopBerth(rt, id)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(r.bundle, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.bundle, "config.json"), b, 0o644); err != nil {
		return err
	}
	return r.edit(func(spec map[string]any) {
		spec["root"] = map[string]any{"path": rootfs, "readonly": true}
		delete(spec["linux"].(map[string]any), "cgroupsPath")
	})
}

func (r *runc) setArgs(args ...string) error {
	return r.edit(func(spec map[string]any) { spec["process"].(map[string]any)["args"] = args })
}

// edit rewrites the bundle's config.json through change.
func (r *runc) edit(change func(spec map[string]any)) error {
	path := filepath.Join(r.bundle, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		return err
	}
	change(spec)
	if b, err = json.Marshal(spec); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// run times one `runc run` of args, from its start to its exit.
func (r *runc) run(ctx context.Context, id string, args ...string) (time.Duration, error) {
	if err := r.setArgs(args...); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, r.path, "--root", r.root, "run", "--bundle", r.bundle, id)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("runc run: %w: %s", err, out.String())
	}
	return d, nil
}
