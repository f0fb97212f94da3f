package scheduler

import (
	"sort"
	"strconv"

	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
)

// Observed is what exists of a project right now: the input of reconcile,
// gathered by Observe so that reconcile itself touches nothing.
type Observed struct {
	Containers []Container
	Networks   map[string]bool // by full name, e.g. demo_default
	Volumes    map[string]bool // by full name
	// Images maps each image reference present locally to its image ID.
	Images map[string]string
}

// Container is one existing container of the project, as its labels
// describe it.
type Container struct {
	ID         string
	Name       string
	Service    string
	Number     int
	ConfigHash string
	ImageID    string
	Running    bool
	Oneoff     bool
}

// ContainersFrom selects the containers of projectName among everything a
// runtime reports and reads their compose labels, sorted by service then
// number.
func ContainersFrom(all []*runtime.Container, projectName string) []Container {
	var out []Container
	for _, c := range all {
		if c.Labels[project.LabelProject] != projectName {
			continue
		}
		number, _ := strconv.Atoi(c.Labels[project.LabelContainerNumber])
		out = append(out, Container{
			ID:         c.ID,
			Name:       c.Labels[LabelContainerName],
			Service:    c.Labels[project.LabelService],
			Number:     number,
			ConfigHash: c.Labels[project.LabelConfigHash],
			ImageID:    c.Labels[project.LabelImage],
			Running:    c.Status == runtime.StatusRunning,
			Oneoff:     c.Labels[project.LabelOneoff] == "True",
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Number < out[j].Number
	})
	return out
}

// LabelContainerName records a container's name among its labels, since
// the runtime knows containers by ID only.
const LabelContainerName = "berth.container-name"

// containersOf returns the non-one-off containers of service.
func (o Observed) containersOf(service string) []Container {
	var out []Container
	for _, c := range o.Containers {
		if c.Service == service && !c.Oneoff {
			out = append(out, c)
		}
	}
	return out
}
