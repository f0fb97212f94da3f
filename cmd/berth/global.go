package main

import "github.com/spf13/cobra"

// globalOptions are the flags every command accepts, as Docker Compose's
// top-level flags.
type globalOptions struct {
	Files            []string
	ProjectName      string
	ProjectDirectory string
	EnvFiles         []string
	Profiles         []string
	Strict           bool
	Root             string
}

func (g *globalOptions) bind(cmd *cobra.Command) {
	// Global flags go before the command, as with Docker Compose: they are
	// the root's own (parsed while cobra traverses to the command), so a
	// command is free to use their shorthands (logs -f is --follow).
	cmd.TraverseChildren = true
	flags := cmd.Flags()
	flags.SetInterspersed(false)
	flags.StringArrayVarP(&g.Files, "file", "f", nil, "Compose configuration files")
	flags.StringVarP(&g.ProjectName, "project-name", "p", "", "Project name")
	flags.StringVar(&g.ProjectDirectory, "project-directory", "", "Specify an alternate working directory\n(default: the path of the, first specified, Compose file)")
	flags.StringArrayVar(&g.EnvFiles, "env-file", nil, "Specify an alternate environment file")
	flags.StringArrayVar(&g.Profiles, "profile", nil, "Specify a profile to enable")
	flags.BoolVar(&g.Strict, "strict", false, "Treat compose keys berth does not honour as errors")
	flags.StringVar(&g.Root, "root", "", "berth's state directory (default $BERTH_ROOT or /var/lib/berth)")
}
