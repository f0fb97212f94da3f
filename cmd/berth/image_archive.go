package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/spf13/cobra"
)

func newImageImportCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts image.ImportOptions
	cmd := &cobra.Command{
		Use:   "import [OPTIONS] file|- [REPOSITORY[:TAG]]",
		Short: "Import the contents from a tarball to create a filesystem image",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			in, err := openInput(streams, args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			ref := ""
			if len(args) == 2 {
				ref = args[1]
			}
			sum, err := store.Import(cmd.Context(), in, ref, opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(streams.Out, sum.ID)
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	cmd.Flags().StringVarP(&opts.Message, "message", "m", "", "Set commit message for imported image")
	return cmd
}

// openInput opens path, or standard input for "" and "-".
func openInput(streams Streams, path string) (io.ReadCloser, error) {
	if path == "" || path == "-" {
		return io.NopCloser(streams.In), nil
	}
	return os.Open(path)
}

func newImageLoadCommand(global *globalOptions, streams Streams) *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load [OPTIONS]",
		Short: "Load an image from a tar archive or STDIN",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			in, err := openInput(streams, input)
			if err != nil {
				return err
			}
			defer in.Close()
			loaded, err := store.Load(cmd.Context(), in)
			for _, sum := range loaded {
				if !quiet {
					printLoaded(streams.Out, sum)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "Read from tar archive file, instead of STDIN")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Suppress the load output")
	return cmd
}

func printLoaded(w io.Writer, sum *image.Summary) {
	if len(sum.RepoTags) == 0 {
		fmt.Fprintf(w, "Loaded image ID: %s\n", sum.ID)
	}
	for _, tag := range sum.RepoTags {
		fmt.Fprintf(w, "Loaded image: %s\n", image.ShortName(tag))
	}
}

func newImageSaveCommand(global *globalOptions, streams Streams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "save [OPTIONS] IMAGE [IMAGE...]",
		Short: "Save one or more images to a tar archive (streamed to STDOUT by default)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			if output == "" {
				if isTerminal(streams.Out) {
					return fmt.Errorf("cowardly refusing to save to a terminal. Use the -o flag or redirect")
				}
				return store.Save(cmd.Context(), streams.Out, args)
			}
			return saveToFile(cmd, store, output, args)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Write to a file, instead of STDOUT")
	return cmd
}

// saveToFile writes the archive beside output and renames it into place,
// so a failed save leaves no truncated file.
func saveToFile(cmd *cobra.Command, store *image.Store, output string, refs []string) error {
	f, err := os.CreateTemp(filepath.Dir(output), ".berth-save-")
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	defer os.Remove(f.Name())
	err = store.Save(cmd.Context(), f, refs)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), output)
}
