package main

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/api"
)

func init() { verbs = append(verbs, newLogsCommand) }

type logsOptions struct {
	follow, timestamps, noColor, noPrefix bool
	tail, since, until                    string
}

func newLogsCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			tail := -1
			if o.tail != "all" {
				n, err := strconv.Atoi(o.tail)
				if err != nil || n < 0 {
					return fmt.Errorf("invalid --tail %q: want a number or \"all\"", o.tail)
				}
				tail = n
			}
			for _, t := range []string{o.since, o.until} {
				if _, err := api.ParseTime(t, time.Now()); err != nil {
					return err
				}
			}
			name, client, err := projectClient(cmd.Context(), global, streams)
			if err != nil {
				return err
			}
			printer := newLogPrinter(streams.Out, name, o.noColor, o.noPrefix, o.timestamps)
			if list, err := client.Ps(cmd.Context(), name, true); err == nil {
				for _, c := range list {
					if len(args) == 0 || slices.Contains(args, c.Service) {
						printer.register(c.Name)
					}
				}
			}
			req := &api.LogsRequest{ProjectName: name, Services: args, Follow: o.follow, Tail: tail, Since: o.since, Until: o.until}
			return remoteExit(client.Logs(cmd.Context(), req, printer.line))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.follow, "follow", "f", false, "Follow log output")
	f.BoolVarP(&o.timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.StringVarP(&o.tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	f.StringVar(&o.since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.StringVar(&o.until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	return cmd
}

// ago renders a creation time as Docker's "5 minutes ago".
func ago(unix int64) string {
	if unix == 0 {
		return ""
	}
	d := time.Since(time.Unix(unix, 0))
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}
