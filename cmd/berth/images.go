package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/spf13/cobra"
)

// newImagesCommand is `berth images`, docker's alias of `image ls`.
func newImagesCommand(global *globalOptions, streams Streams) *cobra.Command {
	return newImageListCommand(global, streams, "images")
}

type imageListOptions struct {
	quiet   bool
	noTrunc bool
	format  string
}

func newImageListCommand(global *globalOptions, streams Streams, use string) *cobra.Command {
	var opts imageListOptions
	cmd := &cobra.Command{
		Use:   use + " [OPTIONS]",
		Short: "List images",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := openImageStore(global)
			if err != nil {
				return err
			}
			list, err := store.List(cmd.Context())
			if err != nil {
				return err
			}
			return opts.print(streams.Out, imageRows(list), time.Now())
		},
	}
	if use == "ls" {
		cmd.Aliases = []string{"list"}
	}
	flags := cmd.Flags()
	flags.BoolVarP(&opts.quiet, "quiet", "q", false, "Only show image IDs")
	flags.BoolVar(&opts.noTrunc, "no-trunc", false, "Don't truncate output")
	flags.StringVar(&opts.format, "format", "", "Format output: table or json")
	return cmd
}

// imageRow is one line of `images`: an image appears once per tag, or
// once as <none> when untagged.
type imageRow struct {
	Repository, Tag, Digest string
	image.Summary
}

func imageRows(list []image.Summary) []imageRow {
	var rows []imageRow
	for _, sum := range list {
		digest := "<none>"
		if len(sum.RepoDigests) > 0 {
			_, digest, _ = strings.Cut(sum.RepoDigests[0], "@")
		}
		if len(sum.RepoTags) == 0 {
			rows = append(rows, imageRow{Repository: "<none>", Tag: "<none>", Digest: digest, Summary: sum})
		}
		for _, ref := range sum.RepoTags {
			i := strings.LastIndex(ref, ":")
			rows = append(rows, imageRow{Repository: image.ShortName(ref[:i]), Tag: ref[i+1:], Digest: digest, Summary: sum})
		}
	}
	return rows
}

func (o imageListOptions) id(full string) string {
	if o.noTrunc {
		return full
	}
	return strings.TrimPrefix(full, "sha256:")[:12]
}

func (o imageListOptions) print(w io.Writer, rows []imageRow, now time.Time) error {
	switch {
	case o.quiet:
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				fmt.Fprintln(w, o.id(r.ID))
			}
		}
		return nil
	case o.format == "json":
		return o.printJSON(w, rows, now)
	case o.format != "" && o.format != "table":
		return fmt.Errorf("unsupported format %q: use table or json", o.format)
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, o.id(r.ID), humanDuration(now.Sub(r.Created))+" ago", humanSize(r.Size, 3))
	}
	return tw.Flush()
}

// printJSON prints one object per line with docker's field names.
func (o imageListOptions) printJSON(w io.Writer, rows []imageRow, now time.Time) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		err := enc.Encode(map[string]string{
			"ID": o.id(r.ID), "Repository": r.Repository, "Tag": r.Tag, "Digest": r.Digest,
			"CreatedAt":    r.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
			"CreatedSince": humanDuration(now.Sub(r.Created)) + " ago",
			"Size":         humanSize(r.Size, 3),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// humanSize writes bytes with decimal units and the given significant
// digits, as docker's units package does: 3 in image lists ("4.26MB"), 4
// in reclaimed-space lines ("1.234kB").
func humanSize(n int64, digits int) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	size := float64(n)
	i := 0
	for size >= 1000 && i < len(units)-1 {
		size /= 1000
		i++
	}
	return fmt.Sprintf("%.*g%s", digits, size, units[i])
}

// humanDuration words an age as docker does ("2 months").
func humanDuration(d time.Duration) string {
	seconds, hours := int(d.Seconds()), int(d.Hours())
	switch {
	case seconds < 1:
		return "Less than a second"
	case seconds == 1:
		return "1 second"
	case seconds < 60:
		return fmt.Sprintf("%d seconds", seconds)
	case int(d.Minutes()) == 1:
		return "About a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case hours == 1:
		return "About an hour"
	case hours < 48:
		return fmt.Sprintf("%d hours", hours)
	case hours < 24*7*2:
		return fmt.Sprintf("%d days", hours/24)
	case hours < 24*30*2:
		return fmt.Sprintf("%d weeks", hours/24/7)
	case hours < 24*365*2:
		return fmt.Sprintf("%d months", hours/24/30)
	}
	return fmt.Sprintf("%d years", hours/24/365)
}
