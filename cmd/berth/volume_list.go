package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/volumes"
)

type volumeListOptions struct {
	Quiet   bool
	Filters []string
	Format  string
}

func newVolumeListCommand(global *globalOptions, streams Streams) *cobra.Command {
	var opts volumeListOptions
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := openVolumes(global)
			if err != nil {
				return err
			}
			match, err := parseVolumeFilters(opts.Filters)
			if err != nil {
				return err
			}
			vols, err := matchingVolumes(cmd.Context(), store, match)
			if err != nil {
				return err
			}
			return opts.print(streams.Out, vols)
		},
	}
	flags := cmd.Flags()
	flags.BoolVarP(&opts.Quiet, "quiet", "q", false, "Only display volume names")
	flags.StringArrayVar(&opts.Filters, "filter", nil, "Provide filter values (e.g. \"dangling=true\")")
	flags.StringVar(&opts.Format, "format", "", "Format output using a custom template:\n'table': Print output in table format with column headers (default)\n'table TEMPLATE': Print output in table format using the given Go template\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template")
	return cmd
}

func matchingVolumes(ctx context.Context, store *volumes.Store, match volumeMatcher) ([]volumes.Volume, error) {
	all, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []volumes.Volume
	for _, v := range all {
		users, err := store.Users(ctx, v.Name)
		if err != nil {
			return nil, err
		}
		if match(v, len(users) > 0) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (o volumeListOptions) print(w io.Writer, vols []volumes.Volume) error {
	format := o.Format
	switch {
	case o.Quiet:
		format = "{{.Name}}"
	case format == "" || format == "table":
		format = "table {{.Driver}}\t{{.Name}}"
	case format == "json":
		return printJSONLines(w, vols)
	}
	return printRows(w, format, vols)
}

// volumeRow is a volume as docker volume ls templates see it; the JSON
// format prints these fields, in this order.
type volumeRow struct {
	Availability, Driver, Group, Labels, Links, Mountpoint, Name, Scope, Size, Status string

	labels map[string]string
}

func newVolumeRow(v volumes.Volume) volumeRow {
	return volumeRow{
		Availability: "N/A", Driver: v.Driver, Group: "N/A", Labels: strings.Join(sortedLabels(v.Labels), ","),
		Links: "N/A", Mountpoint: v.Mountpoint, Name: v.Name, Scope: v.Scope, Size: "N/A", Status: "N/A",
		labels: v.Labels,
	}
}

// volumeHeader renders a table template's header line: the same template
// run on column titles.
var volumeHeader = volumeRow{
	Availability: "AVAILABILITY", Driver: "DRIVER", Group: "GROUP", Labels: "LABELS", Links: "LINKS",
	Mountpoint: "MOUNTPOINT", Name: "VOLUME NAME", Scope: "SCOPE", Size: "SIZE", Status: "STATUS",
}

// Label returns one label's value, for {{.Label "key"}}.
func (r volumeRow) Label(key string) string {
	if r.labels == nil && r.Name == volumeHeader.Name {
		return "LABEL"
	}
	return r.labels[key]
}

func printJSONLines(w io.Writer, vols []volumes.Volume) error {
	enc := json.NewEncoder(w)
	for _, v := range vols {
		if err := enc.Encode(newVolumeRow(v)); err != nil {
			return err
		}
	}
	return nil
}

// printRows renders a Go template per volume; "table " adds a header and
// aligns columns as the docker CLI (tabwriter, width 10, padding 3).
func printRows(w io.Writer, format string, vols []volumes.Volume) error {
	body, table := strings.CutPrefix(format, "table ")
	tmpl, err := parseTemplate(body)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	rows := make([]any, 0, len(vols)+1)
	if table {
		rows = append(rows, volumeHeader)
	}
	for _, v := range vols {
		rows = append(rows, newVolumeRow(v))
	}
	for _, row := range rows {
		if err := tmpl.Execute(tw, row); err != nil {
			return err
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func parseTemplate(format string) (*template.Template, error) {
	funcs := template.FuncMap{
		"json": func(v any) (string, error) {
			data, err := json.Marshal(v)
			return string(data), err
		},
		"join":  strings.Join,
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
	}
	tmpl, err := template.New("format").Funcs(funcs).Parse(format)
	if err != nil {
		return nil, fmt.Errorf("template parsing error: %w", err)
	}
	return tmpl, nil
}

// executeEach writes format for each value, one per line (inspect -f).
func executeEach[T any](w io.Writer, format string, values []T) error {
	tmpl, err := parseTemplate(format)
	if err != nil {
		return err
	}
	for _, v := range values {
		if err := tmpl.Execute(w, v); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}
