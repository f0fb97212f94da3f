package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"

	"github.com/berth-dev/berth/project"
)

// projectOptions turns the global flags into project loading options; the
// caller sets what its command needs on top.
func (g *globalOptions) projectOptions(streams Streams) project.Options {
	return project.Options{
		Files:              g.Files,
		ProjectName:        g.ProjectName,
		ProjectDirectory:   g.ProjectDirectory,
		EnvFiles:           g.EnvFiles,
		Profiles:           g.Profiles,
		Environ:            os.Environ(),
		Strict:             g.Strict,
		WarnUnhonouredKeys: true,
		Warn: func(w project.Warning) {
			fmt.Fprintf(streams.Err, "WARN[0000] %s\n", w)
		},
	}
}

// loadProject loads the project for a command; compose-go's own warnings
// (unset variables, obsolete keys) go to the command's error stream.
func loadProject(ctx context.Context, streams Streams, opts project.Options) (*types.Project, error) {
	logrus.SetOutput(streams.Err)
	return project.Load(ctx, opts)
}
