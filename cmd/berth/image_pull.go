package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

type pullOptions struct {
	quiet    bool
	platform string
}

func newImagePullCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts pullOptions
	cmd := &cobra.Command{
		Use:   "pull [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			return opts.run(cmd, store, streams, args[0])
		},
	}
	cmd.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "Suppress verbose output")
	cmd.Flags().StringVar(&opts.platform, "platform", "", "Set platform if server is multi-platform capable (os/arch[/variant])")
	return cmd
}

// run pulls ref and prints docker's pull report around the progress.
func (o pullOptions) run(cmd *cobra.Command, store *image.Store, streams Streams, ref string) error {
	r, err := image.ParseReference(ref)
	if err != nil {
		return err
	}
	pull := image.PullOptions{}
	if o.platform != "" {
		if pull.Platform, err = v1.ParsePlatform(o.platform); err != nil {
			return fmt.Errorf("platform %q: %w", o.platform, err)
		}
	}
	out := io.Discard
	if !o.quiet {
		out = streams.Out
	}
	before, _ := store.Inspect(cmd.Context(), image.FamiliarName(r))
	if !strings.ContainsAny(ref, ":@") {
		fmt.Fprintln(out, "Using default tag: latest")
	}
	fmt.Fprintf(out, "%s: Pulling from %s\n", r.Identifier(), r.Context().RepositoryStr())
	renderer := newPullRenderer(out, isTerminal(out))
	pull.Progress = renderer.event
	sum, err := store.Pull(cmd.Context(), ref, pull)
	if err != nil {
		return err
	}
	o.report(out, r, before, sum)
	fmt.Fprintln(streams.Out, image.FamiliarName(r))
	return nil
}

func (o pullOptions) report(out io.Writer, r name.Reference, before *image.Inspect, sum *image.Summary) {
	if len(sum.RepoDigests) > 0 {
		_, digest, _ := strings.Cut(sum.RepoDigests[len(sum.RepoDigests)-1], "@")
		fmt.Fprintf(out, "Digest: %s\n", digest)
	}
	short := image.ShortName(image.FamiliarName(r))
	if before != nil && before.ID == sum.ID {
		fmt.Fprintf(out, "Status: Image is up to date for %s\n", short)
		return
	}
	fmt.Fprintf(out, "Status: Downloaded newer image for %s\n", short)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// pullRenderer prints pull events: on a terminal one line per layer,
// redrawn in place; otherwise a line per change of a layer's status.
type pullRenderer struct {
	out    io.Writer
	tty    bool
	order  []string
	lines  map[string]string
	status map[string]image.Status
	drawn  int // lines drawn on the terminal so far
}

func newPullRenderer(out io.Writer, tty bool) *pullRenderer {
	return &pullRenderer{out: out, tty: tty, lines: map[string]string{}, status: map[string]image.Status{}}
}

func (p *pullRenderer) event(e image.Event) {
	if _, known := p.lines[e.Layer]; !known {
		p.order = append(p.order, e.Layer)
	}
	changed := p.status[e.Layer] != e.Status
	p.status[e.Layer] = e.Status
	p.lines[e.Layer] = e.Layer + ": " + string(e.Status)
	if e.Status == image.StatusDownloading && p.tty {
		p.lines[e.Layer] += " " + progressBar(e.Current, e.Total)
	}
	switch {
	case p.tty:
		p.redraw()
	case changed:
		fmt.Fprintln(p.out, p.lines[e.Layer])
	}
}

// redraw moves the cursor up over the lines drawn before (ECMA-48 CUU)
// and rewrites every layer's line, erasing each first (EL).
func (p *pullRenderer) redraw() {
	if p.drawn > 0 {
		fmt.Fprintf(p.out, "\x1b[%dA", p.drawn)
	}
	for _, id := range p.order {
		fmt.Fprintf(p.out, "\r\x1b[2K%s\n", p.lines[id])
	}
	p.drawn = len(p.order)
}

// progressBar draws docker's 50-column bar and the byte counts.
func progressBar(current, total int64) string {
	if total <= 0 {
		return humanSize(current, 3)
	}
	width := int(50 * current / total)
	width = min(max(width, 0), 50)
	bar := strings.Repeat("=", width)
	if width < 50 {
		bar += ">" + strings.Repeat(" ", 49-width)
	}
	return fmt.Sprintf("[%s]  %s/%s", bar, humanSize(current, 3), humanSize(total, 3))
}
