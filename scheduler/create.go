package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/spec"
	"github.com/berth-dev/berth/volumes"
)

// createContainer makes one container of a service, in the order DESIGN
// gives: its mounts, its config, the runtime's create (init waiting). Its
// networks are attached to the new network namespace by the connect step
// that follows, before anything runs in it. A failure undoes every part
// this call made.
func (x *executor) createContainer(ctx context.Context, op Op) (err error) {
	s := x.project.Services[op.Service]
	img, err := x.engine.images.Config(ctx, imageRef(x.project, s))
	if err != nil {
		return fmt.Errorf("service %q: %w", s.Name, err)
	}
	id, err := newID()
	if err != nil {
		return err
	}
	dir := x.engine.containerDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			undoCtx := context.WithoutCancel(ctx)
			err = errors.Join(err, x.engine.removeContainer(undoCtx, id, true), os.RemoveAll(dir))
		}
	}()
	cfg, err := x.containerConfig(ctx, op, s, img, id, dir)
	if err != nil {
		return err
	}
	if err := x.engine.saveSpec(id, cfg); err != nil {
		return err
	}
	if !sharesNetwork(s) {
		plan, err := planNetwork(x.project, s, id, op.Resource)
		if err != nil {
			return err
		}
		if err := x.engine.saveNetPlan(id, plan); err != nil {
			return err
		}
	}
	sup, err := supervisionOf(s, img)
	if err != nil {
		return fmt.Errorf("service %q: %w", s.Name, err)
	}
	if err := x.engine.saveSupervision(id, sup); err != nil {
		return err
	}
	c, err := x.engine.rt.Create(ctx, cfg)
	if err != nil {
		return fmt.Errorf("service %q: %w", s.Name, err)
	}
	x.mu.Lock()
	x.created[op.Resource] = c.ID
	x.mu.Unlock()
	return nil
}

// connectContainer attaches a created container to its networks and
// publishes its ports, as its saved network plan says. Undoing it is
// part of removing the container.
func (x *executor) connectContainer(ctx context.Context, op Op) error {
	id, err := x.containerID(op)
	if err != nil {
		return err
	}
	c, err := x.engine.rt.Inspect(ctx, id)
	if err != nil {
		return err
	}
	if err := x.engine.connect(ctx, c); err != nil {
		return fmt.Errorf("service %q: %w", op.Service, err)
	}
	return nil
}

func (x *executor) containerConfig(ctx context.Context, op Op, s types.ServiceConfig, img runtime.ImageConfig, id, dir string) (*runtime.ContainerConfig, error) {
	mounts, volWarnings, err := x.engine.volumes.PrepareService(ctx, volumes.ServiceRequest{
		Project: x.project, Service: s.Name, ContainerID: id, StateDir: dir,
		ImageVolumes: img.Volumes, ImageLayers: img.LowerDirs, Previous: x.previous(op), VolumesFrom: x,
		RenewAnonymous: x.renewAnonymous,
	})
	if err != nil {
		return nil, err
	}
	for _, w := range volWarnings {
		x.events(Event{Op: op, Status: StatusWarning, Err: errors.New(w.String())})
	}
	cfg, specWarnings, err := spec.FromService(s, img, spec.Options{
		ID: id, ProjectDir: x.project.WorkingDir, Namespace: x.namespace, HostCPUs: goruntime.NumCPU(),
		Hostname: x.hostnameFor(s),
	})
	if err != nil {
		return nil, err
	}
	for _, w := range specWarnings {
		x.events(Event{Op: op, Status: StatusWarning, Err: fmt.Errorf("service %q: %s: %s", w.Service, w.Key, w.Detail)})
	}
	for _, m := range mounts {
		cfg.Mounts = append(cfg.Mounts, runtime.Mount{Source: m.Source, Destination: m.Destination, Type: m.Type, Options: m.Options})
	}
	if err := x.engine.networkFiles(s, cfg, dir); err != nil {
		return nil, err
	}
	cfg.Labels = x.labels(s, op, img.ID, op.Resource)
	return cfg, nil
}

// labels are Docker Compose's labels plus what berth needs to find the
// container again: its name (the runtime knows IDs only) and its image.
func (x *executor) labels(s types.ServiceConfig, op Op, imageID, name string) map[string]string {
	hash := x.hashes[s.Name]
	if hash == "" {
		hash, _ = project.ServiceHash(s)
	}
	labels := project.ContainerLabels(s, op.Number, hash)
	labels[LabelContainerName] = name
	labels[project.LabelImage] = imageID
	labels[LabelImageRef] = imageRef(x.project, s)
	if s.Hostname != "" {
		labels[labelHostname] = s.Hostname
	}
	for key, cfg := range s.Networks {
		if n, ok := x.project.Networks[key]; ok && cfg != nil && len(cfg.Aliases) > 0 {
			labels[labelAliasesPrefix+n.Name] = strings.Join(cfg.Aliases, ",")
		}
	}
	return labels
}

// LabelImageRef records the image reference a container was created from,
// as the user wrote it, for ps.
const LabelImageRef = "berth.image"

// previous is the container a recreate replaces, whose anonymous volumes
// the new one takes over.
func (x *executor) previous(op Op) string {
	for _, c := range x.obs.containersOf(op.Service) {
		if c.Number == op.Number {
			return c.ID
		}
	}
	return ""
}

// hostnameFor is the hostname a service gets when it names none: the
// host's own with network_mode: host, as Docker does.
func (x *executor) hostnameFor(s types.ServiceConfig) string {
	if s.NetworkMode == "host" {
		h, _ := os.Hostname()
		return h
	}
	return ""
}

// namespace resolves "service:x" and "container:x" to the namespace of
// that container's init.
func (x *executor) namespace(kind, ref string) (string, error) {
	c, err := x.engine.findContainer(context.Background(), x.project, ref)
	if err != nil {
		return "", err
	}
	if c.Pid == 0 {
		return "", fmt.Errorf("%s: %w", ref, runtime.ErrNotRunning)
	}
	return filepath.Join("/proc", strconv.Itoa(c.Pid), "ns", kind), nil
}

// Mounts gives volumes_from the mounts of another service's (first)
// container, or of a container named directly.
func (x *executor) Mounts(ctx context.Context, ref volumes.VolumesFrom) ([]volumes.Mount, error) {
	target := "service:" + ref.Service
	if ref.Container != "" {
		target = "container:" + ref.Container
	}
	c, err := x.engine.findContainer(ctx, x.project, target)
	if err != nil {
		return nil, err
	}
	return x.engine.volumeMountsOf(c.ID)
}

func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// findContainer resolves "service:x" to the lowest-numbered container of
// service x of p, and "container:x" to the container named (or with ID) x.
func (e *Engine) findContainer(ctx context.Context, p *types.Project, ref string) (*runtime.Container, error) {
	kind, name, _ := strings.Cut(ref, ":")
	all, err := e.rt.List(ctx)
	if err != nil {
		return nil, err
	}
	var id string
	switch kind {
	case "service":
		// ContainersFrom sorts replicas by number, as numbers, not labels.
		for _, c := range ContainersFrom(all, p.Name) {
			if c.Service == name {
				id = c.ID
				break
			}
		}
	case "container":
		for _, c := range all {
			if c.Labels[LabelContainerName] == name || c.ID == name {
				id = c.ID
			}
		}
	}
	for _, c := range all {
		if id != "" && c.ID == id {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", ref, runtime.ErrNotFound)
}
