package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Streams are the standard streams a command reads and writes; tests pass
// buffers.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// ExitError carries an exit code other than 1 (Docker Compose's codes) and
// an optional message printed before exiting.
type ExitError struct {
	Code    int
	Message string
}

func (e *ExitError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// verbs lists the constructors of every top-level command; each verb lives
// in its own file and adds itself here.
var verbs = []func(*globalOptions, Streams) *cobra.Command{}

// Run executes berth with args (without the program name) and returns the
// error to report; it never exits the process.
func Run(ctx context.Context, streams Streams, args []string) error {
	root := newRootCommand(streams)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

func newRootCommand(streams Streams) *cobra.Command {
	var global globalOptions
	root := &cobra.Command{
		Use:           "berth [OPTIONS] COMMAND",
		Short:         "Run multi-container applications from compose files, without a Docker daemon",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	global.bind(root)
	for _, verb := range verbs {
		root.AddCommand(verb(&global, streams))
	}
	return root
}
