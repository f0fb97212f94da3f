// Package project turns compose files into a validated project model, as
// Docker Compose does: compose-go v2 loads them (interpolation, .env,
// env_file, profiles, extends, include, merging of several files), and this
// package adds what Docker Compose adds on top — the com.docker.compose.*
// labels, config hashes, the dependency order — and berth's own warnings for
// the compose keys it does not honour.
package project

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// Options select the compose files and how they are loaded; their fields
// mirror Docker Compose's top-level flags and the switches of its config
// command.
type Options struct {
	Files            []string // -f, in order; "-" reads standard input
	ProjectName      string   // -p
	ProjectDirectory string   // --project-directory
	EnvFiles         []string // --env-file, in order
	Profiles         []string // --profile
	Services         []string // restrict the project to these and their dependencies
	// Environ is the caller's environment (os.Environ() in the CLI).
	Environ []string

	NoInterpolate      bool
	NoNormalize        bool
	NoPathResolution   bool
	NoConsistency      bool
	NoEnvResolution    bool // keep env_file references instead of merging them into environment
	DiscardEnvFile     bool // drop env_file once its content is merged
	AllResources       bool // keep networks and volumes no service uses
	Strict             bool // a compose key berth does not honour is an error, not a warning
	WarnUnhonouredKeys bool // report keys berth does not honour through Warn
	// Warn receives the warnings about keys berth does not honour.
	Warn func(Warning)
}

// Load reads the compose files named by opts and returns the project as
// Docker Compose would model it, with every service labelled. A key berth
// does not honour yet is reported through opts.Warn, or with opts.Strict
// returned as an error.
func Load(ctx context.Context, opts Options) (*types.Project, error) {
	var unhonoured []Warning
	fns := opts.loaderOptions(func(w []Warning) { unhonoured = w })
	projectOptions, err := cli.NewProjectOptions(opts.Files, fns...)
	if err != nil {
		return nil, err
	}
	p, err := projectOptions.LoadProject(ctx)
	if err != nil {
		return nil, attribute(err, projectOptions.ConfigPaths)
	}
	if err := reportUnhonoured(unhonoured, opts); err != nil {
		return nil, err
	}
	files := p.ComposeFiles
	p, err = opts.postProcess(p)
	return p, attribute(err, files)
}

// LoadModel reads the compose files like Load but stops before the typed
// model: it returns the merged YAML tree, as Docker Compose renders it for
// `config --no-interpolate`.
func LoadModel(ctx context.Context, opts Options) (map[string]any, error) {
	projectOptions, err := cli.NewProjectOptions(opts.Files, opts.loaderOptions(nil)...)
	if err != nil {
		return nil, err
	}
	model, err := projectOptions.LoadModel(ctx)
	return model, attribute(err, projectOptions.ConfigPaths)
}

// loaderOptions builds compose-go's options in the order Docker Compose
// applies them: the caller's environment first (it always wins), then the
// env files and .env, COMPOSE_FILE, the default file discovery, and again
// the env files since --project-directory may have moved the default .env.
func (opts Options) loaderOptions(onUnhonoured func([]Warning)) []cli.ProjectOptionsFn {
	envFiles := opts.envFiles()
	fns := []cli.ProjectOptionsFn{
		cli.WithInterpolation(!opts.NoInterpolate),
		cli.WithResolvedPaths(!opts.NoPathResolution),
		cli.WithNormalization(!opts.NoNormalize),
		cli.WithConsistency(!opts.NoConsistency),
		cli.WithDefaultProfiles(opts.Profiles...),
	}
	if opts.DiscardEnvFile {
		fns = append(fns, cli.WithDiscardEnvFile)
	}
	if opts.NoEnvResolution {
		fns = append(fns, cli.WithoutEnvironmentResolution)
	}
	if onUnhonoured != nil {
		fns = append(fns, unhonouredKeysCheck(onUnhonoured))
	}
	fns = append(fns,
		cli.WithWorkingDirectory(opts.ProjectDirectory),
		cli.WithEnv(opts.environ()),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(opts.Profiles...),
		cli.WithName(opts.ProjectName),
	)
	return fns
}

// environ is the caller's environment with PWD set, as a shell would have
// it: compose files may interpolate ${PWD}.
func (opts Options) environ() []string {
	env := opts.Environ
	for _, kv := range env {
		if strings.HasPrefix(kv, "PWD=") {
			return env
		}
	}
	if pwd, err := os.Getwd(); err == nil {
		env = append(env[:len(env):len(env)], "PWD="+pwd)
	}
	return env
}

// envFiles are --env-file values made absolute, or COMPOSE_ENV_FILES from
// the environment when none was given (Docker Compose's flag default).
func (opts Options) envFiles() []string {
	files := opts.EnvFiles
	if len(files) == 0 {
		files = strings.FieldsFunc(lookupEnv(opts.Environ, "COMPOSE_ENV_FILES"), func(c rune) bool { return c == ',' })
	}
	abs := make([]string, 0, len(files))
	for _, f := range files {
		if !filepath.IsAbs(f) {
			if a, err := filepath.Abs(f); err == nil {
				f = a
			}
		}
		abs = append(abs, f)
	}
	return abs
}

// postProcess does what Docker Compose does after compose-go: enables the
// services asked for, labels every service, narrows the project to them and
// drops networks and volumes nothing uses.
func (opts Options) postProcess(p *types.Project) (*types.Project, error) {
	if p.Name == "" {
		return nil, fmt.Errorf("project name can't be empty")
	}
	p, err := p.WithServicesEnabled(opts.Services...)
	if err != nil {
		return nil, err
	}
	for name, s := range p.Services {
		s.CustomLabels = ServiceLabels(p, name, opts.envFiles())
		p.Services[name] = s
	}
	p, err = p.WithSelectedServices(opts.Services)
	if err != nil {
		return nil, err
	}
	if !opts.AllResources {
		p = p.WithoutUnnecessaryResources()
	}
	return p, nil
}

func lookupEnv(environ []string, key string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(environ[i], key+"="); ok {
			return v
		}
	}
	return ""
}
