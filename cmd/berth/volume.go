package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/volumes"
)

func init() { verbs = append(verbs, newVolumeCommand) }

// newVolumeCommand is `berth volume`, with docker volume's subcommands,
// flags and output. The docker CLI's -f shorthands (for --force, --filter
// and --format) are missing: the global, persistent -f is --file, as in
// docker compose, and cobra cannot shadow it.
func newVolumeCommand(global *globalOptions, streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "volume COMMAND",
		Short: "Manage volumes",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(
		newVolumeCreateCommand(global, streams),
		newVolumeListCommand(global, streams),
		newVolumeInspectCommand(global, streams),
		newVolumeRemoveCommand(global, streams),
		newVolumePruneCommand(global, streams),
	)
	return cmd
}

func openVolumes(global *globalOptions) (*volumes.Store, error) {
	store, err := volumes.Open(global.stateRoot())
	if err != nil {
		return nil, err
	}
	store.Version = version
	return store, nil
}

type volumeCreateOptions struct {
	Driver string
	Opts   []string
	Labels []string
}

func newVolumeCreateCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts volumeCreateOptions
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] [VOLUME]",
		Short: "Create a volume",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openVolumes(global)
			if err != nil {
				return err
			}
			create, err := opts.createOptions(args)
			if err != nil {
				return err
			}
			v, err := store.Create(cmd.Context(), create)
			if err != nil && !errors.Is(err, volumes.ErrExists) {
				return err
			}
			fmt.Fprintln(streams.Out, v.Name) // an existing volume is not an error, as Docker
			return nil
		},
	}
	flags := cmd.Flags()
	flags.StringVarP(&opts.Driver, "driver", "d", volumes.DriverLocal, "Specify volume driver name")
	flags.StringArrayVarP(&opts.Opts, "opt", "o", nil, "Set driver specific options")
	flags.StringArrayVar(&opts.Labels, "label", nil, "Set metadata for a volume")
	return cmd
}

func (o volumeCreateOptions) createOptions(args []string) (volumes.CreateOptions, error) {
	create := volumes.CreateOptions{Driver: o.Driver}
	if len(args) == 1 {
		create.Name = args[0]
	}
	var err error
	if create.DriverOpts, err = keyValues("--opt", o.Opts, false); err != nil {
		return create, err
	}
	create.Labels, err = keyValues("--label", o.Labels, true)
	return create, err
}

// keyValues reads k=v flags; a label may omit "=v" (an empty value), an
// option may not.
func keyValues(flag string, items []string, valueOptional bool) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		if k == "" || (!ok && !valueOptional) {
			return nil, fmt.Errorf("invalid %s %q: want key=value", flag, item)
		}
		out[k] = v
	}
	return out, nil
}

func newVolumeInspectCommand(global *globalOptions, streams Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] VOLUME [VOLUME...]",
		Short: "Display detailed information on one or more volumes",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openVolumes(global)
			if err != nil {
				return err
			}
			var found []volumes.Volume
			var errs []error
			for _, name := range args {
				v, err := store.Get(cmd.Context(), name)
				if err != nil {
					errs = append(errs, fmt.Errorf("no such volume: %s", name))
					continue
				}
				found = append(found, v)
			}
			return errors.Join(append([]error{printInspect(streams, format, found)}, errs...)...)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "Format output using a custom template:\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template")
	return cmd
}

// printInspect writes Docker's inspect output: a JSON array indented by
// four spaces, or a template applied to each volume.
func printInspect(streams Streams, format string, found []volumes.Volume) error {
	if format != "" && format != "json" {
		return executeEach(streams.Out, format, found)
	}
	if found == nil {
		found = []volumes.Volume{}
	}
	data, err := json.MarshalIndent(found, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(streams.Out, "%s\n", data)
	return err
}

func newVolumeRemoveCommand(global *globalOptions, streams Streams) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] VOLUME [VOLUME...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more volumes",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openVolumes(global)
			if err != nil {
				return err
			}
			var errs []error
			for _, name := range args {
				err := store.Remove(cmd.Context(), name)
				switch {
				case err == nil:
					fmt.Fprintln(streams.Out, name)
				case force && errors.Is(err, volumes.ErrNotFound):
					// --force: a missing volume is no error, as with Docker
				default:
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Force the removal of one or more volumes")
	return cmd
}

func sortedLabels(labels map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(labels) {
		out = append(out, k+"="+labels[k])
	}
	return out
}
