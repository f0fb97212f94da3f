package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/netdns"
	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
)

// ContainerStatus is one container as `ps` shows it.
type ContainerStatus struct {
	ID, Name, Service, Project string
	Image, Command             string
	Created                    time.Time
	State                      string // created, running, exited
	Status                     string // "Up 5 seconds", "Exited (0) 3 seconds ago"
	Health                     string
	ExitCode                   int
	Labels                     map[string]string
	Ports                      []netdns.Binding
}

func (e *Engine) saveBindings(id string, bindings []netdns.Binding) error {
	b, err := json.Marshal(bindings)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(e.containerDir(id), "ports.json"), b, 0o600)
}

func (e *Engine) bindings(id string) []netdns.Binding {
	var out []netdns.Binding
	if b, err := os.ReadFile(filepath.Join(e.containerDir(id), "ports.json")); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// Ps lists a project's containers, running ones only unless all.
func (e *Engine) Ps(ctx context.Context, name string, all bool) ([]ContainerStatus, error) {
	list, err := e.rt.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []ContainerStatus
	now := time.Now()
	for _, c := range list {
		if c.Labels[project.LabelProject] != name || (!all && c.Status != runtime.StatusRunning) {
			continue
		}
		out = append(out, e.status(c, now))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (e *Engine) status(c *runtime.Container, now time.Time) ContainerStatus {
	st := ContainerStatus{ID: c.ID, Name: c.Labels[LabelContainerName], Service: c.Labels[project.LabelService],
		Project: c.Labels[project.LabelProject], Image: c.Labels[LabelImageRef], Created: c.Created,
		State: string(c.Status), ExitCode: c.Exit.Code, Labels: c.Labels, Ports: e.bindings(c.ID)}
	if cfg, err := e.containerSpec(c.ID); err == nil {
		st.Command = strings.Join(cfg.Args, " ")
	}
	st.Health = e.healthStatus(c.ID)
	switch c.Status {
	case runtime.StatusRunning:
		st.Status = "Up " + humanDuration(now.Sub(c.Started))
		if st.Health != "" {
			st.Status += " (" + st.Health + ")"
		}
	case runtime.StatusExited:
		st.Status = fmt.Sprintf("Exited (%d) %s ago", c.Exit.Code, humanDuration(now.Sub(c.Exit.Finished)))
	default:
		st.Status = "Created"
	}
	return st
}

// humanDuration words a duration as Docker's status column does.
func humanDuration(d time.Duration) string {
	switch s := int(d.Seconds()); {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return strconv.Itoa(s) + " seconds"
	case d < 2*time.Minute:
		return "About a minute"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " minutes"
	case d < 2*time.Hour:
		return "About an hour"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " hours"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

// ProjectStatus is one project as `ls` shows it.
type ProjectStatus struct {
	Name        string
	Status      string // "running(2), exited(1)"
	ConfigFiles string
}

// Projects lists the projects that have containers; running ones only
// unless all.
func (e *Engine) Projects(ctx context.Context, all bool) ([]ProjectStatus, error) {
	list, err := e.rt.List(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]map[string]int{}
	files := map[string]string{}
	for _, c := range list {
		name := c.Labels[project.LabelProject]
		if name == "" {
			continue
		}
		if counts[name] == nil {
			counts[name] = map[string]int{}
		}
		counts[name][string(c.Status)]++
		files[name] = c.Labels[project.LabelConfigFiles]
	}
	var out []ProjectStatus
	for name, byState := range counts {
		if !all && byState[string(runtime.StatusRunning)] == 0 {
			continue
		}
		var parts []string
		for _, state := range []string{"created", "exited", "running"} {
			if n := byState[state]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s(%d)", state, n))
			}
		}
		out = append(out, ProjectStatus{Name: name, Status: strings.Join(parts, ", "), ConfigFiles: files[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// LogRequest selects the logs of a project.
type LogRequest struct {
	Services []string
	runtime.LogOptions
}

// LogLine is one line of a container's output, or, with Exited set, the
// end of a followed container's run.
type LogLine struct {
	Container, Service string
	Entry              runtime.LogEntry
	Exited             bool
	ExitCode           int
}

// reportExit tells a follower that c's run ended, and how: a followed log
// ends when its container exits.
func (e *Engine) reportExit(ctx context.Context, c Container, send func(LogLine) error) error {
	status, err := e.rt.Wait(ctx, c.ID)
	if err != nil {
		return err
	}
	return send(LogLine{Container: c.Name, Service: c.Service, Exited: true, ExitCode: status.Code})
}

// Logs streams the output of a project's containers to sink, each
// container's in order; with Follow until they exit or ctx ends.
func (e *Engine) Logs(ctx context.Context, name string, req LogRequest, sink func(LogLine) error) error {
	list, err := e.rt.List(ctx)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(list))
	for _, c := range ContainersFrom(list, name) {
		if len(req.Services) > 0 && !slices.Contains(req.Services, c.Service) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			send := func(l LogLine) error {
				mu.Lock()
				defer mu.Unlock()
				return sink(l)
			}
			err := e.rt.Logs(ctx, c.ID, req.LogOptions, func(entry runtime.LogEntry) error {
				return send(LogLine{Container: c.Name, Service: c.Service, Entry: entry})
			})
			if err == nil && req.Follow && ctx.Err() == nil {
				err = e.reportExit(ctx, c, send)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}
