// Package scheduler is the engine of a stack: it observes what runs now,
// reconciles that with the project (a pure function), plans the difference
// as a DAG of small operations that prints one line per step, and executes
// the plan without making decisions. The supervisor (health checks,
// depends_on conditions, restart policies) lives here too.
package scheduler

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// OpKind is what one step of a plan does; each maps to one call into the
// runtime, the network or the volume layer.
type OpKind string

// The kinds of step a plan is made of.
const (
	OpCreateNetwork   OpKind = "create network"
	OpRemoveNetwork   OpKind = "remove network"
	OpCreateVolume    OpKind = "create volume"
	OpRemoveVolume    OpKind = "remove volume"
	OpPullImage       OpKind = "pull image"
	OpRemoveImage     OpKind = "remove image"
	OpCreateContainer OpKind = "create container"
	// OpConnectContainer joins a created container to its networks and
	// publishes its ports. It is a step of its own so that a container is
	// created while its networks are still being made.
	OpConnectContainer OpKind = "connect container"
	OpStartContainer   OpKind = "start container"
	OpStopContainer    OpKind = "stop container"
	OpRemoveContainer  OpKind = "remove container"
	OpWaitService      OpKind = "wait for"
)

// Op is one step's work, with what the executor needs to do it.
type Op struct {
	Kind     OpKind
	Resource string // the network, volume, image or container name
	Service  string // the service a container or wait belongs to
	Number   int    // replica number, for containers
	// Condition is the depends_on condition an OpWaitService waits for:
	// service_started, service_healthy or service_completed_successfully.
	Condition string
	// Required is false for a depends_on with required: false, whose
	// failure is a warning, not an error.
	Required bool
	// ContainerID is the existing container a stop or remove acts on.
	ContainerID string
	Reason      string // why the step is needed, shown in the plan
}

// Step is one node of a plan's DAG.
type Step struct {
	ID    int
	Op    Op
	After []*Step // steps that must be done first
}

// Plan is a DAG of steps kept in an order where every step comes after the
// steps it waits for.
type Plan struct {
	Steps []*Step
}

// add appends a step doing op after the given steps (nil ones are skipped,
// so callers can pass optional prerequisites).
func (p *Plan) add(op Op, after ...*Step) *Step {
	s := &Step{ID: len(p.Steps) + 1, Op: op}
	for _, a := range after {
		if a != nil && !slices.Contains(s.After, a) {
			s.After = append(s.After, a)
		}
	}
	p.Steps = append(p.Steps, s)
	return s
}

// Empty reports whether the plan has nothing to do.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// String prints one line per step: its number, what it does, on what, why,
// and which steps it waits for.
//
//	#1 create network demo_default (not found)
//	#2 create container demo-web-1 (no container) after #1
func (p *Plan) String() string {
	var b strings.Builder
	for _, s := range p.Steps {
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// String prints the step as a plan line.
func (s *Step) String() string {
	line := fmt.Sprintf("#%d %s", s.ID, s.Op)
	if len(s.After) > 0 {
		ids := make([]string, len(s.After))
		for i, a := range s.After {
			ids[i] = "#" + strconv.Itoa(a.ID)
		}
		line += " after " + strings.Join(ids, ",")
	}
	return line
}

func (o Op) String() string {
	s := string(o.Kind) + " " + o.Resource
	if o.Kind == OpWaitService {
		s = fmt.Sprintf("%s %s %s", o.Kind, o.Resource, o.Condition)
		if !o.Required {
			s += " (optional)"
		}
	}
	if o.Reason != "" {
		s += " (" + o.Reason + ")"
	}
	return s
}
