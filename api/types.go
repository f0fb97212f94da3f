// Package api is the protocol between the berth CLI and the berth daemon:
// plain HTTP over a unix socket (/run/berth/berth.sock, root only), JSON
// bodies, and newline-delimited JSON for the streamed answers (progress
// events, logs). The CLI loads compose files itself — the working
// directory, environment, .env and profiles are the caller's — and sends
// the normalized project.
package api

import (
	"context"
	"fmt"
	"maps"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// DefaultSocket is where the daemon listens.
const DefaultSocket = "/run/berth/berth.sock"

// Project is a loaded compose project as it travels: the canonical YAML
// that `config` prints (interpolated, normalized, paths absolute, env files
// merged), which compose-go reads back losslessly — its JSON form is not
// (file modes, ulimits and host lists do not decode) — plus what that form
// leaves out, and the config hash of every service computed by the CLI, so
// that the label on each container is exactly what `config --hash` prints.
type Project struct {
	Name         string                       `json:"name"`
	WorkingDir   string                       `json:"working_dir"`
	ComposeFiles []string                     `json:"compose_files"`
	Environment  map[string]string            `json:"environment,omitempty"`
	Model        string                       `json:"model"`
	Labels       map[string]map[string]string `json:"labels"` // com.docker.compose.* per service
	Hashes       map[string]string            `json:"hashes"`
}

// FromProject packs p for the wire. Build sections stay behind: the daemon
// does not build (the CLI has warned about them), and compose-go cannot
// read back some it writes (build.ssh).
func FromProject(p *types.Project) (*Project, error) {
	sent := *p
	sent.Services = make(types.Services, len(p.Services))
	for name, s := range p.Services {
		s.Build = nil
		sent.Services[name] = s
	}
	model, err := sent.MarshalYAML()
	if err != nil {
		return nil, fmt.Errorf("encode project %q: %w", p.Name, err)
	}
	w := &Project{Name: p.Name, WorkingDir: p.WorkingDir, ComposeFiles: p.ComposeFiles,
		Environment: p.Environment, Model: string(model),
		Labels: map[string]map[string]string{}, Hashes: map[string]string{}}
	for name, s := range p.Services {
		hash, err := project.ServiceHash(s)
		if err != nil {
			return nil, err
		}
		w.Hashes[name] = hash
		w.Labels[name] = maps.Clone(s.CustomLabels)
	}
	return w, nil
}

// ToProject unpacks the project: compose-go reads the model back with
// everything the CLI already did (interpolation, path resolution,
// normalization, schema validation, checks) switched off, and what the model leaves out is
// restored.
func (w *Project) ToProject(ctx context.Context) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  w.WorkingDir,
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: []byte(w.Model)}},
		Environment: w.Environment,
	}
	p, err := loader.LoadWithContext(ctx, details, func(o *loader.Options) {
		o.SkipInterpolation, o.SkipNormalization, o.ResolvePaths = true, true, false
		o.SkipConsistencyCheck, o.SkipResolveEnvironment = true, true
		// The CLI validated the files against the compose schema; checking
		// its own canonical rendering again costs the daemon ~10 ms an up.
		o.SkipValidation = true
		o.SetProjectName(w.Name, true)
	})
	if err != nil {
		return nil, fmt.Errorf("decode project %q: %w", w.Name, err)
	}
	p.Name, p.WorkingDir, p.ComposeFiles, p.Environment = w.Name, w.WorkingDir, w.ComposeFiles, w.Environment
	for name, s := range p.Services {
		s.CustomLabels = w.Labels[name]
		p.Services[name] = s
	}
	return p, nil
}

// UpRequest asks the daemon to bring a project up.
type UpRequest struct {
	Project       *Project       `json:"project"`
	Services      []string       `json:"services,omitempty"` // only these (and, unless NoDeps, their dependencies)
	NoDeps        bool           `json:"no_deps,omitempty"`
	ForceRecreate bool           `json:"force_recreate,omitempty"`
	NoRecreate    bool           `json:"no_recreate,omitempty"`
	NoStart       bool           `json:"no_start,omitempty"`
	RemoveOrphans bool           `json:"remove_orphans,omitempty"`
	Pull          string         `json:"pull,omitempty"`
	Scale         map[string]int `json:"scale,omitempty"`
	Parallel      int            `json:"parallel,omitempty"`
	DryRun        bool           `json:"dry_run,omitempty"`
	Timeout       *int           `json:"timeout,omitempty"` // seconds, for stops during recreate
	// Wait blocks until every service is running or healthy (a one-shot
	// that exited 0 counts as done), at most WaitTimeout seconds (0: no
	// bound).
	Wait             bool `json:"wait,omitempty"`
	WaitTimeout      int  `json:"wait_timeout,omitempty"`
	RenewAnonVolumes bool `json:"renew_anon_volumes,omitempty"`
	// Operation names this up for a later CancelRequest; "" for none.
	Operation string `json:"operation,omitempty"`
}

// StopRequest asks the daemon to stop (or, with Kill, kill) containers of
// a project without removing them.
type StopRequest struct {
	ProjectName string   `json:"project_name"`
	Services    []string `json:"services,omitempty"`
	Timeout     *int     `json:"timeout,omitempty"`
	Kill        bool     `json:"kill,omitempty"`
}

// DownRequest asks the daemon to take a project away.
type DownRequest struct {
	ProjectName   string   `json:"project_name"`
	Project       *Project `json:"project,omitempty"` // when the CLI could load the files
	RemoveOrphans bool     `json:"remove_orphans,omitempty"`
	Volumes       bool     `json:"volumes,omitempty"`
	RemoveImages  string   `json:"remove_images,omitempty"` // --rmi: "local" or "all"
	Timeout       *int     `json:"timeout,omitempty"`
	DryRun        bool     `json:"dry_run,omitempty"`
}

// Event is one line of a streamed progress answer. The last line of a
// stream has Final set, with Error when the operation failed.
type Event struct {
	Resource string `json:"resource,omitempty"` // e.g. "Container demo-web-1", "Network demo_default"
	Status   string `json:"status,omitempty"`   // Creating, Created, Starting, Started, ...
	Text     string `json:"text,omitempty"`     // free text: a plan line, a warning
	Level    string `json:"level,omitempty"`    // "", "warning" or "error"
	Final    bool   `json:"final,omitempty"`
	Error    string `json:"error,omitempty"`
	ExitCode int    `json:"exit_code,omitempty"` // with Final and Error: the exit code the CLI should use
}

// ContainerSummary is one row of `ps`.
type ContainerSummary struct {
	ID       string            `json:"ID"`
	Name     string            `json:"Name"`
	Image    string            `json:"Image"`
	Command  string            `json:"Command"`
	Project  string            `json:"Project"`
	Service  string            `json:"Service"`
	Created  int64             `json:"CreatedAt"`
	State    string            `json:"State"`  // created, running, exited, restarting
	Status   string            `json:"Status"` // "Up 2 minutes (healthy)", "Exited (0) 3 seconds ago"
	Health   string            `json:"Health"` // "", starting, healthy, unhealthy
	ExitCode int               `json:"ExitCode"`
	Labels   map[string]string `json:"Labels"`
	Ports    []PortSummary     `json:"Publishers"`
}

// PortSummary is one published port of a container.
type PortSummary struct {
	URL           string `json:"URL"`
	TargetPort    int    `json:"TargetPort"`
	PublishedPort int    `json:"PublishedPort"`
	Protocol      string `json:"Protocol"`
}

// ProjectSummary is one row of `ls`.
type ProjectSummary struct {
	Name        string `json:"Name"`
	Status      string `json:"Status"` // "running(3)", "exited(1), running(2)"
	ConfigFiles string `json:"ConfigFiles"`
}

// LogLine is one line of a streamed logs answer.
type LogLine struct {
	Container string `json:"container"`
	Service   string `json:"service"`
	Stream    string `json:"stream"`
	Time      string `json:"time"` // RFC3339Nano
	Line      string `json:"line"`
	// Exited marks the end of a followed container's run, with its code.
	Exited   bool `json:"exited,omitempty"`
	ExitCode int  `json:"exit_code,omitempty"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Message  string `json:"message"`
	ExitCode int    `json:"exit_code,omitempty"`
}

// LogsRequest asks for the logs of a project's containers.
type LogsRequest struct {
	ProjectName string   `json:"project_name"`
	Services    []string `json:"services,omitempty"`
	Follow      bool     `json:"follow,omitempty"`
	Tail        int      `json:"tail"` // negative for all
	Since       string   `json:"since,omitempty"`
	Until       string   `json:"until,omitempty"`
}
