package scheduler

import (
	"fmt"
	"slices"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// UpOptions are the choices of `up` that change what is planned.
type UpOptions struct {
	ForceRecreate bool // recreate every container, changed or not
	NoRecreate    bool // never recreate an existing container
	NoStart       bool // create, but do not start
	RemoveOrphans bool // remove containers of services no longer in the project
	// Pull is the pull policy for images missing or stale: "missing"
	// (the default), "always" or "never". A service's pull_policy wins.
	Pull string
	// Hashes, when set, are the config hashes to compare with, by
	// service; otherwise they are computed from the project.
	Hashes map[string]string
}

// Result is a plan and what reconcile found worth saying without acting.
type Result struct {
	Plan     *Plan
	Warnings []string
}

// ReconcileUp plans what brings p from what obs shows to running: missing
// networks, volumes and images first, then every service in dependency
// order — containers created when missing, recreated when their config hash
// or image changed, started when stopped, scaled to the desired replicas,
// each service started only once its dependencies meet their depends_on
// conditions. It is pure: it reads its arguments and nothing else.
func ReconcileUp(p *types.Project, obs Observed, opts UpOptions) (Result, error) {
	r := &reconciler{project: p, obs: obs, opts: opts, plan: &Plan{},
		resources: map[string]*Step{}, started: map[string][]*Step{}, recreated: map[string]bool{}}
	if err := r.networks(); err != nil {
		return Result{}, err
	}
	if err := r.volumes(); err != nil {
		return Result{}, err
	}
	order, err := project.Order(p)
	if err != nil {
		return Result{}, err
	}
	for _, name := range order {
		if err := r.service(p.Services[name]); err != nil {
			return Result{}, err
		}
	}
	r.orphans()
	return Result{Plan: r.plan, Warnings: r.warnings}, nil
}

type reconciler struct {
	project  *types.Project
	obs      Observed
	opts     UpOptions
	plan     *Plan
	warnings []string
	// resources are the steps creating networks, volumes and images, by
	// name, that container creation waits for.
	resources map[string]*Step
	// started are the steps that leave each service's containers running.
	started map[string][]*Step
	// recreated lists the services whose containers are replaced.
	recreated map[string]bool
}

func (r *reconciler) networks() error {
	for _, key := range sortedKeys(r.project.Networks) {
		n := r.project.Networks[key]
		if r.obs.Networks[n.Name] {
			continue
		}
		if bool(n.External) {
			return fmt.Errorf("network %s declared as external, but could not be found", n.Name)
		}
		r.resources["network:"+n.Name] = r.plan.add(Op{Kind: OpCreateNetwork, Resource: n.Name, Reason: "not found"})
	}
	return nil
}

func (r *reconciler) volumes() error {
	for _, key := range sortedKeys(r.project.Volumes) {
		v := r.project.Volumes[key]
		if r.obs.Volumes[v.Name] {
			continue
		}
		if bool(v.External) {
			return fmt.Errorf("external volume %q not found", v.Name)
		}
		r.resources["volume:"+v.Name] = r.plan.add(Op{Kind: OpCreateVolume, Resource: v.Name, Reason: "not found"})
	}
	return nil
}

// image plans a pull of s's image when its pull policy asks for one, and
// returns that step (nil when the local image will do).
func (r *reconciler) image(s types.ServiceConfig) (*Step, error) {
	ref := project.ImageName(r.project.Name, s)
	if step, ok := r.resources["image:"+ref]; ok {
		return step, nil
	}
	_, present := r.obs.Images[ref]
	policy := s.PullPolicy
	if policy == "" {
		policy = r.opts.Pull
	}
	var reason string
	switch policy {
	case types.PullPolicyAlways:
		reason = "pull policy always"
	case types.PullPolicyNever:
		if !present {
			return nil, fmt.Errorf("service %q: image %s not found locally and pull_policy is never", s.Name, ref)
		}
	case types.PullPolicyBuild:
		if !present {
			return nil, fmt.Errorf("service %q: image %s must be built, and berth does not build images yet", s.Name, ref)
		}
	default:
		if !present {
			reason = "not found locally"
		}
	}
	if reason == "" {
		return nil, nil
	}
	step := r.plan.add(Op{Kind: OpPullImage, Resource: ref, Service: s.Name, Reason: reason})
	r.resources["image:"+ref] = step
	return step, nil
}

// dependenciesMet returns the steps s's containers may start after: a wait
// for each dependency's condition, planned here.
func (r *reconciler) dependenciesMet(s types.ServiceConfig) []*Step {
	if r.opts.NoStart {
		return nil
	}
	var waits []*Step
	for _, dep := range sortedKeys(s.DependsOn) {
		d := s.DependsOn[dep]
		if _, inProject := r.project.Services[dep]; !inProject {
			continue // required: false and absent, or left out by --no-deps
		}
		after := r.started[dep]
		if d.Condition == types.ServiceConditionStarted || d.Condition == "" {
			waits = append(waits, after...)
			continue
		}
		waits = append(waits, r.plan.add(Op{Kind: OpWaitService, Resource: dep, Service: s.Name,
			Condition: d.Condition, Required: d.Required}, after...))
	}
	return waits
}

// networksOf returns the steps creating the networks s's containers join.
func (r *reconciler) networksOf(s types.ServiceConfig) []*Step {
	var steps []*Step
	for _, key := range sortedKeys(s.Networks) {
		if n, ok := r.project.Networks[key]; ok {
			steps = append(steps, r.resources["network:"+n.Name])
		}
	}
	return slices.DeleteFunc(steps, func(s *Step) bool { return s == nil })
}

// resourcesOf returns the steps creating what s's containers are made
// from: the image and the volumes.
func (r *reconciler) resourcesOf(s types.ServiceConfig, image *Step) []*Step {
	steps := []*Step{image}
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume || v.Source == "" {
			continue
		}
		if vol, ok := r.project.Volumes[v.Source]; ok {
			steps = append(steps, r.resources["volume:"+vol.Name])
		}
	}
	return slices.DeleteFunc(steps, func(s *Step) bool { return s == nil })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
