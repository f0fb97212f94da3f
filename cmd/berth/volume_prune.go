package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/volumes"
)

type volumePruneOptions struct {
	All     bool
	Force   bool
	Filters []string
}

func newVolumePruneCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts volumePruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused local volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			match, err := parseVolumeFilters(opts.Filters)
			if err != nil {
				return err
			}
			if !opts.Force && !confirm(streams, pruneWarning(opts.All)) {
				return errors.New("volume prune has been cancelled")
			}
			store, err := openVolumes(global)
			if err != nil {
				return err
			}
			report, err := store.Prune(cmd.Context(), opts.All, func(v volumes.Volume) bool { return match(v, false) })
			printPruneReport(streams, report)
			return err
		},
	}
	flags := cmd.Flags()
	flags.BoolVarP(&opts.All, "all", "a", false, "Remove all unused volumes, not just anonymous ones")
	flags.BoolVarP(&opts.Force, "force", "f", false, "Do not prompt for confirmation")
	flags.StringArrayVar(&opts.Filters, "filter", nil, "Provide filter values (e.g. \"label=<label>\")")
	return cmd
}

func pruneWarning(all bool) string {
	which := "anonymous"
	if all {
		which = "all"
	}
	return fmt.Sprintf("WARNING! This will remove %s local volumes not used by at least one container.", which)
}

// confirm asks as the docker CLI does; anything but y or yes is a no.
func confirm(streams Streams, warning string) bool {
	fmt.Fprintf(streams.Out, "%s\nAre you sure you want to continue? [y/N] ", warning)
	if streams.In == nil {
		return false
	}
	answer, _ := bufio.NewReader(streams.In).ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}

func printPruneReport(streams Streams, report volumes.PruneReport) {
	if len(report.Removed) > 0 {
		fmt.Fprintln(streams.Out, "Deleted Volumes:")
		for _, name := range report.Removed {
			fmt.Fprintln(streams.Out, name)
		}
		fmt.Fprintln(streams.Out)
	}
	fmt.Fprintf(streams.Out, "Total reclaimed space: %s\n", humanSize(report.Reclaimed, 4))
}
