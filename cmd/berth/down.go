package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/api"
	"github.com/berth-dev/berth/project"
)

func init() { verbs = append(verbs, newDownCommand, newStopCommand) }

type downOptions struct {
	removeOrphans, volumes, dryRun bool
	timeout                        int
	rmi, progress                  string
}

func newDownCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o downOptions
	cmd := &cobra.Command{
		Use:   "down [OPTIONS] [SERVICES]",
		Short: "Stop and remove containers, networks",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), global, streams, cmd.Flags().Changed("timeout"))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVarP(&o.volumes, "volumes", "v", false, "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers")
	f.BoolVar(&o.dryRun, "dry-run", false, "Print the plan and change nothing")
	f.IntVarP(&o.timeout, "timeout", "t", 10, "Specify a shutdown timeout in seconds")
	f.StringVar(&o.rmi, "rmi", "", `Remove images used by services. "local" remove only images that don't have a custom tag ("local"|"all")`)
	f.StringVar(&o.progress, "progress", "auto", "Set type of progress output (auto, tty, plain, json, quiet)")
	return cmd
}

func (o *downOptions) run(ctx context.Context, global *globalOptions, streams Streams, timeoutSet bool) error {
	if !slices.Contains(progressModes, o.progress) {
		return fmt.Errorf("unsupported --progress value %q", o.progress)
	}
	if o.rmi != "" && o.rmi != "local" && o.rmi != "all" {
		return fmt.Errorf("invalid --rmi flag %q: want \"local\" or \"all\"", o.rmi)
	}
	req := &api.DownRequest{RemoveOrphans: o.removeOrphans, Volumes: o.volumes, RemoveImages: o.rmi, DryRun: o.dryRun}
	if timeoutSet {
		req.Timeout = &o.timeout
	}
	if err := projectForDown(ctx, global, streams, req); err != nil {
		return err
	}
	client, err := global.client(ctx)
	if err != nil {
		return err
	}
	return remoteExit(client.Down(ctx, req, renderer(o.progress, o.dryRun, streams).event))
}

// projectForDown names the project to take down: from the compose files
// when they load, as Docker Compose does; else from -p or
// COMPOSE_PROJECT_NAME alone, so that a project whose files are gone can
// still be removed.
func projectForDown(ctx context.Context, global *globalOptions, streams Streams, req *api.DownRequest) error {
	opts := global.projectOptions(streams)
	opts.WarnUnhonouredKeys = false
	p, err := project.Load(ctx, opts)
	if err == nil {
		req.ProjectName = p.Name
		req.Project, err = api.FromProject(p)
		return err
	}
	name := global.ProjectName
	if name == "" {
		name = os.Getenv("COMPOSE_PROJECT_NAME")
	}
	if name == "" {
		return err
	}
	req.ProjectName = name
	return nil
}

type stopOptions struct{ timeout int }

func newStopCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o stopOptions
	cmd := &cobra.Command{
		Use:   "stop [OPTIONS] [SERVICE...]",
		Short: "Stop services",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, client, err := projectClient(cmd.Context(), global, streams)
			if err != nil {
				return err
			}
			req := &api.StopRequest{ProjectName: name, Services: args}
			if cmd.Flags().Changed("timeout") {
				req.Timeout = &o.timeout
			}
			return remoteExit(client.Stop(cmd.Context(), req, newProgress("plain", streams.Err).event))
		},
	}
	cmd.Flags().IntVarP(&o.timeout, "timeout", "t", 10, "Specify a shutdown timeout in seconds")
	return cmd
}
