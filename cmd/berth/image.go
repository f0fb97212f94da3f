package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newImageCommand, newImagesCommand) }

// newImageCommand is `berth image`, docker's image management verbs.
func newImageCommand(global *globalOptions, streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage images",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(
		newImagePullCommand(global, streams),
		newImageListCommand(global, streams, "ls"),
		newImageInspectCommand(global, streams),
		newImageRemoveCommand(global, streams),
		newImagePruneCommand(global, streams),
		newImageImportCommand(global, streams),
		newImageLoadCommand(global, streams),
		newImageSaveCommand(global, streams),
	)
	return cmd
}

// openImageStore opens the image store below berth's state root.
func openImageStore(global *globalOptions) (*image.Store, error) {
	return image.Open(filepath.Join(global.stateRoot(), "images"))
}

func newImageInspectCommand(global *globalOptions, streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect IMAGE [IMAGE...]",
		Short: "Display detailed information on one or more images",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			out := []*image.Inspect{}
			var missing error
			for _, ref := range args {
				data, err := store.Inspect(cmd.Context(), ref)
				if err != nil {
					missing = err
					continue
				}
				out = append(out, data)
			}
			if err := writeJSON(streams.Out, out); err != nil {
				return err
			}
			return missing
		},
	}
}

// writeJSON prints v indented by four spaces, as docker's inspect does.
func writeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

func newImageRemoveCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts image.RemoveOptions
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] IMAGE [IMAGE...]",
		Aliases: []string{"remove", "rmi"},
		Short:   "Remove one or more images",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			var failed error
			for _, ref := range args {
				removed, err := store.Remove(cmd.Context(), ref, opts)
				if removed != nil {
					printRemoved(streams.Out, removed, "Untagged: ", "Deleted: ")
				}
				if err != nil {
					fmt.Fprintf(streams.Err, "Error: %v\n", err)
					failed = &ExitError{Code: 1}
				}
			}
			return failed
		},
	}
	cmd.Flags().BoolVarP(&opts.Force, "force", "f", false, "Force removal of the image")
	return cmd
}

// printRemoved prints what was untagged and deleted, tags in docker's
// short form.
func printRemoved(w io.Writer, removed *image.Removed, untagged, deleted string) {
	for _, ref := range removed.Untagged {
		fmt.Fprintln(w, untagged+image.ShortName(ref))
	}
	for _, id := range removed.Deleted {
		fmt.Fprintln(w, deleted+id)
	}
}

func newImagePruneCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts image.PruneOptions
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused images",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !force && !confirmPrune(streams, opts.All) {
				return nil
			}
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			removed, err := store.Prune(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if len(removed.Untagged)+len(removed.Deleted) > 0 {
				fmt.Fprintln(streams.Out, "Deleted Images:")
				printRemoved(streams.Out, removed, "untagged: ", "deleted: ")
				fmt.Fprintln(streams.Out)
			}
			fmt.Fprintf(streams.Out, "Total reclaimed space: %s\n", humanSize(removed.Bytes, 4))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&opts.All, "all", "a", false, "Remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}

// confirmPrune asks docker's question on the standard streams.
func confirmPrune(streams Streams, all bool) bool {
	warning := "WARNING! This will remove all dangling images."
	if all {
		warning = "WARNING! This will remove all images without at least one container associated to them."
	}
	fmt.Fprintf(streams.Out, "%s\nAre you sure you want to continue? [y/N] ", warning)
	var answer string
	if streams.In != nil {
		_, _ = fmt.Fscanln(streams.In, &answer)
	}
	return answer == "y" || answer == "Y" || answer == "yes"
}
