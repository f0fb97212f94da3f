package api

import (
	"context"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/scheduler"
)

// EngineBackend serves the protocol with a scheduler.Engine: it converts
// requests to the engine's terms and its events to Docker Compose's
// progress wording.
type EngineBackend struct {
	Engine *scheduler.Engine
}

var _ Backend = (*EngineBackend)(nil)

// Up brings a project up.
func (b *EngineBackend) Up(ctx context.Context, req *UpRequest, emit func(Event)) error {
	p, err := req.Project.ToProject(ctx)
	if err != nil {
		return err
	}
	sreq := scheduler.UpRequest{
		UpOptions: scheduler.UpOptions{ForceRecreate: req.ForceRecreate, NoRecreate: req.NoRecreate,
			NoStart: req.NoStart, RemoveOrphans: req.RemoveOrphans, Pull: req.Pull},
		Services: req.Services, NoDeps: req.NoDeps, Scale: req.Scale, Parallel: req.Parallel,
		DryRun: req.DryRun, Timeout: seconds(req.Timeout), Hashes: req.Project.Hashes,
		Wait: req.Wait, WaitTimeout: time.Duration(req.WaitTimeout) * time.Second,
		RenewAnonVolumes: req.RenewAnonVolumes,
	}
	return b.Engine.Up(ctx, p, sreq, progressOf(emit))
}

// Down takes a project away.
func (b *EngineBackend) Down(ctx context.Context, req *DownRequest, emit func(Event)) error {
	sreq := scheduler.DownRequest{DownOptions: scheduler.DownOptions{RemoveOrphans: req.RemoveOrphans, Volumes: req.Volumes, RemoveImages: req.RemoveImages},
		Timeout: seconds(req.Timeout), DryRun: req.DryRun}
	if req.Project == nil {
		return b.Engine.Down(ctx, req.ProjectName, nil, sreq, progressOf(emit))
	}
	p, err := req.Project.ToProject(ctx)
	if err != nil {
		return err
	}
	return b.Engine.Down(ctx, p.Name, p, sreq, progressOf(emit))
}

// Stop stops a project's containers.
func (b *EngineBackend) Stop(ctx context.Context, req *StopRequest, emit func(Event)) error {
	return b.Engine.Stop(ctx, req.ProjectName, scheduler.StopRequest{Services: req.Services, Timeout: seconds(req.Timeout), Kill: req.Kill}, progressOf(emit))
}

// Ps lists a project's containers.
func (b *EngineBackend) Ps(ctx context.Context, projectName string, all bool) ([]ContainerSummary, error) {
	list, err := b.Engine.Ps(ctx, projectName, all)
	if err != nil {
		return nil, err
	}
	out := make([]ContainerSummary, 0, len(list))
	for _, c := range list {
		s := ContainerSummary{ID: c.ID, Name: c.Name, Image: c.Image, Command: c.Command, Project: c.Project,
			Service: c.Service, Created: c.Created.Unix(), State: c.State, Status: c.Status, Health: c.Health,
			ExitCode: c.ExitCode, Labels: c.Labels}
		for _, p := range c.Ports {
			host := "0.0.0.0"
			if p.HostIP.IsValid() && !p.HostIP.IsUnspecified() {
				host = p.HostIP.String()
			}
			s.Ports = append(s.Ports, PortSummary{URL: host, TargetPort: int(p.ContainerPort), PublishedPort: int(p.HostPort), Protocol: p.Protocol})
		}
		out = append(out, s)
	}
	return out, nil
}

// Ls lists projects.
func (b *EngineBackend) Ls(ctx context.Context, all bool) ([]ProjectSummary, error) {
	list, err := b.Engine.Projects(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]ProjectSummary, 0, len(list))
	for _, p := range list {
		out = append(out, ProjectSummary{Name: p.Name, Status: p.Status, ConfigFiles: p.ConfigFiles})
	}
	return out, nil
}

// Logs streams a project's logs.
func (b *EngineBackend) Logs(ctx context.Context, req *LogsRequest, emit func(LogLine) error) error {
	now := time.Now()
	since, err := ParseTime(req.Since, now)
	if err != nil {
		return err
	}
	until, err := ParseTime(req.Until, now)
	if err != nil {
		return err
	}
	opts := runtime.LogOptions{Follow: req.Follow, Tail: req.Tail, Since: since, Until: until}
	return b.Engine.Logs(ctx, req.ProjectName, scheduler.LogRequest{Services: req.Services, LogOptions: opts}, func(l scheduler.LogLine) error {
		if l.Exited {
			return emit(LogLine{Container: l.Container, Service: l.Service, Exited: true, ExitCode: l.ExitCode})
		}
		return emit(LogLine{Container: l.Container, Service: l.Service, Stream: l.Entry.Stream,
			Time: l.Entry.Time.Format(time.RFC3339Nano), Line: string(l.Entry.Line)})
	})
}

func seconds(s *int) *time.Duration {
	if s == nil {
		return nil
	}
	d := time.Duration(*s) * time.Second
	return &d
}

// progressOf words the engine's events as Docker Compose's progress
// lines: "Container demo-web-1  Started".
func progressOf(emit func(Event)) func(scheduler.Event) {
	return func(e scheduler.Event) {
		switch e.Status {
		case scheduler.StatusPlanned:
			emit(Event{Text: e.Step.String()})
			return
		case scheduler.StatusWarning:
			emit(Event{Level: "warning", Text: e.Err.Error()})
			return
		}
		resource, working, done := wording(e.Op)
		if resource == "" {
			return
		}
		ev := Event{Resource: resource}
		switch e.Status {
		case scheduler.StatusWorking:
			ev.Status = working
			ev.Text = e.Detail
		case scheduler.StatusDone:
			ev.Status = done
		case scheduler.StatusError:
			ev.Status, ev.Level = "Error", "error"
			if e.Err != nil {
				ev.Text = e.Err.Error()
			}
		}
		emit(ev)
	}
}

// wordings are, for each kind of step, its resource's noun and the verbs
// Docker Compose shows while it works and once it is done.
var wordings = map[scheduler.OpKind][3]string{
	scheduler.OpCreateNetwork:   {"Network", "Creating", "Created"},
	scheduler.OpRemoveNetwork:   {"Network", "Removing", "Removed"},
	scheduler.OpCreateVolume:    {"Volume", "Creating", "Created"},
	scheduler.OpRemoveVolume:    {"Volume", "Removing", "Removed"},
	scheduler.OpRemoveImage:     {"Image", "Removing", "Removed"},
	scheduler.OpPullImage:       {"Image", "Pulling", "Pulled"},
	scheduler.OpCreateContainer: {"Container", "Creating", "Created"},
	scheduler.OpStartContainer:  {"Container", "Starting", "Started"},
	scheduler.OpStopContainer:   {"Container", "Stopping", "Stopped"},
	scheduler.OpRemoveContainer: {"Container", "Removing", "Removed"},
	scheduler.OpWaitService:     {"Service", "Waiting", ""},
}

// wording gives a step's resource and its working and done verbs.
func wording(op scheduler.Op) (resource, working, done string) {
	w, ok := wordings[op.Kind]
	if !ok {
		return "", "", ""
	}
	done = w[2]
	if op.Kind == scheduler.OpWaitService {
		done = waitedWord(op.Condition)
	}
	return w[0] + " " + op.Resource, w[1], done
}

func waitedWord(condition string) string {
	switch condition {
	case "service_healthy":
		return "Healthy"
	case "service_completed_successfully":
		return "Exited"
	}
	return "Started"
}
