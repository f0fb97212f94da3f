package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/berth-dev/berth/project"
)

func init() { verbs = append(verbs, newConfigCommand) }

// configOptions are the flags of `berth config`, Docker Compose's.
type configOptions struct {
	format, output, hash                string
	quiet                               bool
	noInterpolate, noNormalize, noPaths bool
	noConsistency, noEnvResolution      bool
	services, volumes, networks, images bool
	profiles, environment               bool
}

func newConfigCommand(global *globalOptions, streams Streams) *cobra.Command {
	var o configOptions
	cmd := &cobra.Command{
		Use:   "config [OPTIONS] [SERVICE...]",
		Short: "Parse, resolve and render compose file in canonical format",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), global, streams, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "", "Format the output. Values: [yaml | json]")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&o.noInterpolate, "no-interpolate", false, "Don't interpolate environment variables")
	f.BoolVar(&o.noNormalize, "no-normalize", false, "Don't normalize compose model")
	f.BoolVar(&o.noPaths, "no-path-resolution", false, "Don't resolve file paths")
	f.BoolVar(&o.noConsistency, "no-consistency", false, "Don't check model consistency - warning: may produce invalid Compose output")
	f.BoolVar(&o.noEnvResolution, "no-env-resolution", false, "Don't resolve service env files")
	f.BoolVar(&o.services, "services", false, "Print the service names, one per line.")
	f.BoolVar(&o.volumes, "volumes", false, "Print the volume names, one per line.")
	f.BoolVar(&o.networks, "networks", false, "Print the network names, one per line.")
	f.BoolVar(&o.profiles, "profiles", false, "Print the profile names, one per line.")
	f.BoolVar(&o.images, "images", false, "Print the image names, one per line.")
	f.BoolVar(&o.environment, "environment", false, "Print environment used for interpolation.")
	f.StringVar(&o.hash, "hash", "", "Print the service config hash, one per line.")
	f.StringVarP(&o.output, "output", "o", "", "Save to file (default to stdout)")
	return cmd
}

func (o *configOptions) run(ctx context.Context, global *globalOptions, streams Streams, args []string) error {
	if o.quiet {
		streams.Out = io.Discard
	}
	opts := o.projectOptions(global, streams)
	switch {
	case o.services:
		return o.printServices(ctx, streams, opts)
	case o.volumes, o.networks:
		return o.printResources(ctx, streams, opts)
	case o.hash != "":
		return o.printHashes(ctx, streams, opts)
	case o.profiles, o.images, o.environment:
		opts.Services = args
		return o.printLists(ctx, streams, opts)
	}
	return o.render(ctx, streams, opts, args)
}

func (o *configOptions) projectOptions(global *globalOptions, streams Streams) project.Options {
	opts := global.projectOptions(streams)
	opts.NoInterpolate = o.noInterpolate
	opts.NoNormalize = o.noNormalize
	opts.NoPathResolution = o.noPaths
	opts.NoConsistency = o.noConsistency
	opts.NoEnvResolution = o.noEnvResolution
	opts.DiscardEnvFile = true
	return opts
}

// render prints the whole model, as `docker compose config` does.
func (o *configOptions) render(ctx context.Context, streams Streams, opts project.Options, services []string) error {
	format := o.format
	if format == "" {
		format = "yaml"
	}
	if format != "yaml" && format != "json" {
		return fmt.Errorf("unsupported format %q", format)
	}
	var content []byte
	var err error
	if o.noInterpolate {
		if len(services) > 0 {
			fmt.Fprintln(streams.Err, "WARN[0000] service filtering is not applied when --no-interpolate is set, the full model will be rendered")
		}
		content, err = renderModel(ctx, opts, format)
	} else {
		opts.Services = services
		content, err = o.renderProject(ctx, streams, opts, format)
		// compose-go has resolved every variable: escape what remains so
		// that the output, fed back to compose, means the same.
		content = bytes.ReplaceAll(content, []byte{'$'}, []byte{'$', '$'})
	}
	if err != nil {
		return err
	}
	if o.output != "" && len(content) > 0 {
		return os.WriteFile(o.output, content, 0o666)
	}
	_, err = streams.Out.Write(content)
	return err
}

func (o *configOptions) renderProject(ctx context.Context, streams Streams, opts project.Options, format string) ([]byte, error) {
	p, err := loadProject(ctx, streams, opts)
	if err != nil {
		return nil, err
	}
	if !o.noEnvResolution {
		if p, err = p.WithServicesEnvironmentResolved(true); err != nil {
			return nil, err
		}
	}
	if !o.noConsistency {
		if err := p.CheckContainerNameUnicity(); err != nil {
			return nil, err
		}
	}
	if format == "json" {
		return p.MarshalJSON()
	}
	return p.MarshalYAML()
}

func renderModel(ctx context.Context, opts project.Options, format string) ([]byte, error) {
	model, err := project.LoadModel(ctx, opts)
	if err != nil {
		return nil, err
	}
	if format == "json" {
		return json.MarshalIndent(model, "", "  ")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(model); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (o *configOptions) printServices(ctx context.Context, streams Streams, opts project.Options) error {
	opts.NoEnvResolution = true
	if o.noInterpolate {
		model, err := project.LoadModel(ctx, opts)
		if err != nil {
			return err
		}
		services, _ := model["services"].(map[string]any)
		return printLines(streams.Out, sortedKeys(services))
	}
	p, err := loadProject(ctx, streams, opts)
	if err != nil {
		return err
	}
	order, err := project.Order(p)
	if err != nil {
		return err
	}
	return printLines(streams.Out, order)
}

func (o *configOptions) printResources(ctx context.Context, streams Streams, opts project.Options) error {
	opts.NoEnvResolution = true
	p, err := loadProject(ctx, streams, opts)
	if err != nil {
		return err
	}
	if o.volumes {
		return printLines(streams.Out, sortedKeys(p.Volumes))
	}
	return printLines(streams.Out, sortedKeys(p.Networks))
}

func (o *configOptions) printHashes(ctx context.Context, streams Streams, opts project.Options) error {
	var selected []string
	if o.hash != "*" {
		selected = strings.Split(o.hash, ",")
	}
	opts.NoEnvResolution = true
	p, err := loadProject(ctx, streams, opts)
	if err != nil {
		return err
	}
	if p, err = project.ProjectForHash(p, selected, !o.noEnvResolution); err != nil {
		return err
	}
	for _, name := range p.ServiceNames() {
		hash, err := project.ServiceHash(p.Services[name])
		if err != nil {
			return err
		}
		fmt.Fprintf(streams.Out, "%s %s\n", name, hash)
	}
	return nil
}

func (o *configOptions) printLists(ctx context.Context, streams Streams, opts project.Options) error {
	p, err := loadProject(ctx, streams, opts)
	if err != nil {
		return err
	}
	switch {
	case o.profiles:
		var profiles []string
		for _, s := range p.AllServices() {
			profiles = append(profiles, s.Profiles...)
		}
		slices.Sort(profiles)
		return printLines(streams.Out, slices.Compact(profiles))
	case o.images:
		var images []string
		for _, name := range p.ServiceNames() {
			images = append(images, project.ImageName(p.Name, p.Services[name]))
		}
		return printLines(streams.Out, images)
	}
	return printLines(streams.Out, p.Environment.Values())
}

func printLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
