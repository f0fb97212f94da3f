package scheduler

import (
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// DownOptions are the choices of `down` that change what is planned.
type DownOptions struct {
	RemoveOrphans bool // also remove containers of services not in the project
	Volumes       bool // also remove the project's named volumes (never external ones)
	// RemoveImages is --rmi: "all" removes every image the services use,
	// "local" only those without a custom tag (the ones Docker Compose
	// builds and names <project>-<service>); "" none.
	RemoveImages string
}

// ReconcileDown plans taking p away: every container stopped after the
// containers that depend on it (reverse dependency order), removed once
// stopped, then the project's networks and, with opts.Volumes, its volumes.
// External networks and volumes are never touched. It is pure.
func ReconcileDown(p *types.Project, obs Observed, opts DownOptions) (*Plan, error) {
	order, err := project.Order(p)
	if err != nil {
		return nil, err
	}
	plan := &Plan{}
	stopped := map[string][]*Step{}
	var removed []*Step
	// Reverse dependency order: a service stops only once everything that
	// depends on it has stopped.
	for i := len(order) - 1; i >= 0; i-- {
		s := p.Services[order[i]]
		var after []*Step
		for _, dependent := range s.GetDependents(p) {
			after = append(after, stopped[dependent]...)
		}
		for _, c := range obs.containersOf(s.Name) {
			stop := stopStep(plan, c, after)
			stopped[s.Name] = append(stopped[s.Name], stop)
			removed = append(removed, plan.add(Op{Kind: OpRemoveContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID}, stop))
		}
	}
	for _, c := range obs.Containers {
		_, inProject := p.Services[c.Service]
		if c.Oneoff || (!inProject && opts.RemoveOrphans) {
			stop := stopStep(plan, c, nil)
			removed = append(removed, plan.add(Op{Kind: OpRemoveContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID}, stop))
		}
	}
	for _, key := range sortedKeys(p.Networks) {
		n := p.Networks[key]
		if !bool(n.External) && obs.Networks[n.Name] {
			plan.add(Op{Kind: OpRemoveNetwork, Resource: n.Name}, removed...)
		}
	}
	for _, ref := range imagesToRemove(p, opts.RemoveImages) {
		plan.add(Op{Kind: OpRemoveImage, Resource: ref}, removed...)
	}
	if opts.Volumes {
		for _, key := range sortedKeys(p.Volumes) {
			v := p.Volumes[key]
			if !bool(v.External) && obs.Volumes[v.Name] {
				plan.add(Op{Kind: OpRemoveVolume, Resource: v.Name}, removed...)
			}
		}
	}
	return plan, nil
}

// stopStep plans stopping c. A stopped container gets a step too (stopping
// it is a no-op) so that what waits for it keeps its order.
func stopStep(plan *Plan, c Container, after []*Step) *Step {
	if !c.Running {
		return plan.add(Op{Kind: OpStopContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID, Reason: "already stopped"}, after...)
	}
	return plan.add(Op{Kind: OpStopContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID}, after...)
}

// imagesToRemove lists the images `down --rmi` removes, each once.
func imagesToRemove(p *types.Project, mode string) []string {
	if mode == "" {
		return nil
	}
	seen := map[string]bool{}
	var refs []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if mode == "local" && s.Image != "" {
			continue
		}
		ref := project.ImageName(p.Name, s)
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs
}
