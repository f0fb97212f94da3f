package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/api"
)

func init() { verbs = append(verbs, newUpCommand) }

type upOptions struct {
	detach, wait, noDeps, forceRecreate, noRecreate bool
	noStart, removeOrphans, dryRun, timestamps      bool
	renewAnonVolumes                                bool
	waitTimeout, parallel                           int
	timeout                                         int
	pull, progress                                  string
	scale                                           []string
	abortOnExit, abortOnFailure                     bool
	exitCodeFrom                                    string
	attach, noAttach                                []string
}

func newUpCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o upOptions
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), global, streams, args, cmd.Flags().Changed("timeout"))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.detach, "detach", "d", false, "Detached mode: Run containers in the background")
	f.BoolVar(&o.wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	f.IntVar(&o.waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	f.BoolVar(&o.noDeps, "no-deps", false, "Don't start linked services")
	f.BoolVar(&o.forceRecreate, "force-recreate", false, "Recreate containers even if their configuration and image haven't changed")
	f.BoolVar(&o.noRecreate, "no-recreate", false, "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
	f.BoolVar(&o.noStart, "no-start", false, "Don't start the services after creating them")
	f.BoolVarP(&o.renewAnonVolumes, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of retrieving data from the previous containers")
	f.BoolVar(&o.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVar(&o.dryRun, "dry-run", false, "Print the plan and change nothing")
	f.BoolVar(&o.timestamps, "timestamps", false, "Show timestamps")
	f.StringVar(&o.pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never")`)
	f.StringArrayVar(&o.scale, "scale", nil, "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
	f.IntVarP(&o.timeout, "timeout", "t", 10, "Use this timeout in seconds for container shutdown when attached or when containers are already running")
	f.IntVar(&o.parallel, "parallel", -1, "Control max parallelism, -1 for unlimited")
	f.StringVar(&o.progress, "progress", "auto", "Set type of progress output (auto, tty, plain, json, quiet)")
	f.BoolVar(&o.abortOnExit, "abort-on-container-exit", false, "Stops all containers if any container was stopped. Incompatible with -d")
	f.BoolVar(&o.abortOnFailure, "abort-on-container-failure", false, "Stops all containers if any container exited with failure. Incompatible with -d")
	f.StringVar(&o.exitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container. Implies --abort-on-container-exit")
	f.StringArrayVar(&o.attach, "attach", nil, "Restrict attaching to the specified services. Incompatible with --attach-dependencies.")
	f.StringArrayVar(&o.noAttach, "no-attach", nil, "Do not attach (stream logs) to the specified services")
	return cmd
}

func (o *upOptions) validate() error {
	if o.forceRecreate && o.noRecreate {
		return fmt.Errorf("--force-recreate and --no-recreate are incompatible")
	}
	if o.exitCodeFrom != "" {
		o.abortOnExit = true
	}
	if o.detach && (o.abortOnExit || o.abortOnFailure) {
		return fmt.Errorf("--abort-on-container-exit and --abort-on-container-failure are incompatible with --detach")
	}
	if o.abortOnExit && o.abortOnFailure {
		return fmt.Errorf("--abort-on-container-exit and --abort-on-container-failure are mutually exclusive")
	}
	if !slices.Contains(progressModes, o.progress) {
		return fmt.Errorf("unsupported --progress value %q", o.progress)
	}
	if !slices.Contains([]string{"policy", "always", "missing", "never"}, o.pull) {
		return fmt.Errorf("invalid --pull option %q", o.pull)
	}
	return nil
}

func (o *upOptions) request(wire *api.Project, services []string, timeoutSet bool) (*api.UpRequest, error) {
	req := &api.UpRequest{Project: wire, Services: services, NoDeps: o.noDeps, ForceRecreate: o.forceRecreate,
		NoRecreate: o.noRecreate, NoStart: o.noStart, RemoveOrphans: o.removeOrphans, DryRun: o.dryRun,
		Parallel: o.parallel, Wait: o.wait, WaitTimeout: o.waitTimeout, Scale: map[string]int{},
		RenewAnonVolumes: o.renewAnonVolumes}
	if o.pull != "policy" {
		req.Pull = o.pull
	}
	if timeoutSet {
		req.Timeout = &o.timeout
	}
	for _, s := range o.scale {
		name, n, ok := strings.Cut(s, "=")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count < 0 {
			return nil, fmt.Errorf("invalid --scale %q: want SERVICE=NUM", s)
		}
		req.Scale[name] = count
	}
	return req, nil
}

func (o *upOptions) run(ctx context.Context, global *globalOptions, streams Streams, services []string, timeoutSet bool) error {
	if err := o.validate(); err != nil {
		return err
	}
	opts := global.projectOptions(streams)
	opts.Services = services
	p, err := loadProject(ctx, streams, opts)
	if err != nil {
		return err
	}
	wire, err := api.FromProject(p)
	if err != nil {
		return err
	}
	req, err := o.request(wire, services, timeoutSet)
	if err != nil {
		return err
	}
	client, err := global.client(ctx)
	if err != nil {
		return err
	}
	if err := runUp(ctx, client, req, renderer(o.progress, o.dryRun, streams).event); err != nil {
		return err
	}
	if o.detach || o.wait || o.dryRun || o.noStart {
		return nil
	}
	if len(o.attach) == 0 {
		o.attach = services // as Docker Compose: the services asked for, not their dependencies
	}
	return attach(ctx, streams, client, p.Name, attachOptions{timestamps: o.timestamps, abortOnExit: o.abortOnExit,
		abortOnFailure: o.abortOnFailure, exitCodeFrom: o.exitCodeFrom, attach: o.attach, noAttach: o.noAttach})
}
