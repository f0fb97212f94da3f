package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/api"
	"github.com/berth-dev/berth/project"
)

func init() { verbs = append(verbs, newPsCommand, newLsCommand) }

type psOptions struct {
	all, quiet, services bool
	format               string
	status, filter       []string
}

func newPsCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o psOptions
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), global, streams, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all stopped containers (including those created by the run command)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.services, "services", false, "Display services")
	f.StringVar(&o.format, "format", "table", "Format output using a custom template: 'table' or 'json'")
	f.StringArrayVar(&o.status, "status", nil, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
	f.StringArrayVar(&o.filter, "filter", nil, "Filter services by a property (supported filters: status)")
	return cmd
}

func (o *psOptions) run(ctx context.Context, global *globalOptions, streams Streams, services []string) error {
	for _, f := range o.filter {
		key, value, ok := strings.Cut(f, "=")
		if !ok || key != "status" {
			return fmt.Errorf("invalid filter %q: only status=VALUE is supported", f)
		}
		o.status = append(o.status, value)
	}
	name, client, err := projectClient(ctx, global, streams)
	if err != nil {
		return err
	}
	list, err := client.Ps(ctx, name, o.all || len(o.status) > 0)
	if err != nil {
		return remoteExit(err)
	}
	list = slices.DeleteFunc(list, func(c api.ContainerSummary) bool {
		return (len(services) > 0 && !slices.Contains(services, c.Service)) ||
			(len(o.status) > 0 && !slices.Contains(o.status, c.State))
	})
	return o.print(streams, list)
}

func (o *psOptions) print(streams Streams, list []api.ContainerSummary) error {
	switch {
	case o.quiet:
		for _, c := range list {
			fmt.Fprintln(streams.Out, c.ID)
		}
	case o.services:
		var names []string
		for _, c := range list {
			names = append(names, c.Service)
		}
		slices.Sort(names)
		return printLines(streams.Out, slices.Compact(names))
	case o.format == "json":
		enc := json.NewEncoder(streams.Out)
		for _, c := range list {
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
	case o.format == "table":
		w := tabwriter.NewWriter(streams.Out, 0, 0, 3, ' ', 0)
		fmt.Fprintln(w, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
		for _, c := range list {
			fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\t%s\n", c.Name, c.Image, c.Command, c.Service, ago(c.Created), c.Status, portsOf(c))
		}
		return w.Flush()
	default:
		return fmt.Errorf("unsupported --format %q: want table or json", o.format)
	}
	return nil
}

func portsOf(c api.ContainerSummary) string {
	var ports []string
	for _, p := range c.Ports {
		if p.PublishedPort == 0 {
			ports = append(ports, fmt.Sprintf("%d/%s", p.TargetPort, p.Protocol))
			continue
		}
		ports = append(ports, fmt.Sprintf("%s:%d->%d/%s", p.URL, p.PublishedPort, p.TargetPort, p.Protocol))
	}
	return strings.Join(ports, ", ")
}

// projectName is the project a command acts on: from the compose files
// when they load, else -p or COMPOSE_PROJECT_NAME.
func projectName(ctx context.Context, global *globalOptions, streams Streams) (string, error) {
	if global.ProjectName != "" {
		return global.ProjectName, nil
	}
	if name := os.Getenv("COMPOSE_PROJECT_NAME"); name != "" {
		return name, nil
	}
	opts := global.projectOptions(streams)
	opts.WarnUnhonouredKeys = false
	p, err := project.Load(ctx, opts)
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

// projectClient names the project a command acts on and connects to the
// daemon, starting one if needed.
func projectClient(ctx context.Context, global *globalOptions, streams Streams) (string, *api.Client, error) {
	name, err := projectName(ctx, global, streams)
	if err != nil {
		return "", nil, err
	}
	client, err := global.client(ctx)
	return name, client, err
}

type lsOptions struct {
	all, quiet bool
	format     string
}

func newLsCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o lsOptions
	cmd := &cobra.Command{
		Use:   "ls [OPTIONS]",
		Short: "List running compose projects",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := global.client(cmd.Context())
			if err != nil {
				return err
			}
			list, err := client.Ls(cmd.Context(), o.all)
			if err != nil {
				return remoteExit(err)
			}
			return o.print(streams, list)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display project names")
	f.StringVar(&o.format, "format", "table", "Format the output. Values: [table | json]")
	return cmd
}

func (o *lsOptions) print(streams Streams, list []api.ProjectSummary) error {
	switch {
	case o.quiet:
		for _, p := range list {
			fmt.Fprintln(streams.Out, p.Name)
		}
	case o.format == "json":
		if list == nil {
			list = []api.ProjectSummary{}
		}
		return json.NewEncoder(streams.Out).Encode(list)
	default:
		w := tabwriter.NewWriter(streams.Out, 0, 0, 3, ' ', 0)
		fmt.Fprintln(w, "NAME\tSTATUS\tCONFIG FILES")
		for _, p := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\n", p.Name, p.Status, p.ConfigFiles)
		}
		return w.Flush()
	}
	return nil
}
