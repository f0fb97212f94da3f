package scheduler

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// service plans s's containers: scale down, recreate what changed, start
// what stopped, create what is missing.
func (r *reconciler) service(s types.ServiceConfig) error {
	hash, err := r.hash(s)
	if err != nil {
		return err
	}
	image, err := r.image(s)
	if err != nil {
		return err
	}
	ready := r.dependenciesMet(s)
	resources := r.resourcesOf(s, image)
	want := s.GetScale()
	existing := map[int]Container{}
	for _, c := range r.obs.containersOf(s.Name) {
		if c.Number > want || existing[c.Number].ID != "" {
			r.remove(c, "scaled down", nil)
			continue
		}
		existing[c.Number] = c
	}
	for n := 1; n <= want; n++ {
		c, ok := existing[n]
		switch {
		case !ok:
			r.create(s, n, reasonNoContainer, append(resources, ready...))
		case r.mustRecreate(s, c, hash):
			r.recreated[s.Name] = true
			stopped := r.remove(c, r.recreateReason(s, c, hash), nil)
			r.create(s, n, "replaces "+c.Name, append(append(resources, ready...), stopped))
		case r.dependencyRestarted(s) && c.Running:
			stop := r.plan.add(Op{Kind: OpStopContainer, Resource: c.Name, Service: s.Name, ContainerID: c.ID, Reason: "a dependency was recreated"}, ready...)
			r.start(s, c.Name, c.ID, "restart", stop)
		case !c.Running:
			r.start(s, c.Name, c.ID, "stopped", ready...)
		}
	}
	return nil
}

func (r *reconciler) hash(s types.ServiceConfig) (string, error) {
	if h, ok := r.opts.Hashes[s.Name]; ok {
		return h, nil
	}
	return project.ServiceHash(s)
}

// reasonNoContainer marks the creation of a container where none was.
const reasonNoContainer = "no container"

func (r *reconciler) mustRecreate(s types.ServiceConfig, c Container, hash string) bool {
	if r.opts.NoRecreate {
		return false
	}
	return r.opts.ForceRecreate || c.ConfigHash != hash || r.imageChanged(s, c)
}

func (r *reconciler) recreateReason(s types.ServiceConfig, c Container, hash string) string {
	switch {
	case r.opts.ForceRecreate:
		return "--force-recreate"
	case c.ConfigHash != hash:
		return "config changed"
	case r.imageChanged(s, c):
		return "image changed"
	}
	return ""
}

// imageChanged reports whether the local image of s is not the one c runs.
// A container without a recorded image, or an image not present, says
// nothing: a pull will settle it.
func (r *reconciler) imageChanged(s types.ServiceConfig, c Container) bool {
	id, ok := r.obs.Images[project.ImageName(r.project.Name, s)]
	return ok && c.ImageID != "" && id != c.ImageID
}

// dependencyRestarted reports whether a dependency of s with restart: true
// is being recreated, which restarts s too.
func (r *reconciler) dependencyRestarted(s types.ServiceConfig) bool {
	for name, d := range s.DependsOn {
		if d.Restart && r.recreated[name] {
			return true
		}
	}
	return false
}

// create plans a container's creation and, unless it shares another
// namespace's network, its joining its networks once they exist: making
// the container (rootfs, libcontainer's init) needs none of them.
func (r *reconciler) create(s types.ServiceConfig, number int, reason string, after []*Step) {
	name := project.ContainerName(r.project.Name, s, number)
	created := r.plan.add(Op{Kind: OpCreateContainer, Resource: name, Service: s.Name, Number: number, Reason: reason}, after...)
	if !sharesNetwork(s) {
		created = r.plan.add(Op{Kind: OpConnectContainer, Resource: name, Service: s.Name, Number: number},
			append(r.networksOf(s), created)...)
	}
	r.start(s, name, "", "created", created)
}

func (r *reconciler) start(s types.ServiceConfig, name, id, reason string, after ...*Step) {
	if r.opts.NoStart {
		return
	}
	step := r.plan.add(Op{Kind: OpStartContainer, Resource: name, Service: s.Name, ContainerID: id, Reason: reason}, after...)
	r.started[s.Name] = append(r.started[s.Name], step)
}

// remove plans stopping (when running) and removing c, and returns the
// removal step.
func (r *reconciler) remove(c Container, reason string, after []*Step) *Step {
	var stop *Step
	if c.Running {
		stop = r.plan.add(Op{Kind: OpStopContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID, Reason: reason}, after...)
		after = nil
	}
	return r.plan.add(Op{Kind: OpRemoveContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID, Reason: reason}, append(after, stop)...)
}

// orphans plans the removal of containers whose service left the project,
// or warns about them as Docker Compose does.
func (r *reconciler) orphans() {
	for _, c := range r.obs.Containers {
		if _, ok := r.project.Services[c.Service]; ok || c.Oneoff {
			continue
		}
		if _, disabled := r.project.DisabledServices[c.Service]; disabled {
			continue
		}
		if r.opts.RemoveOrphans {
			r.remove(c, "orphan", nil)
			continue
		}
		r.warnings = append(r.warnings, fmt.Sprintf("Found orphan containers ([%s]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.", c.Name))
	}
}
