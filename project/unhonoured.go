package project

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/tree"
)

// notHonoured is THE table of compose keys berth accepts but does not act
// on: each is named in a warning (an error with --strict), never dropped
// silently. When berth learns a key, its line goes. Every key of the compose
// specification that is absent here is one berth means to honour; a key the
// specification gains later is reported too, with a generic reason, until
// it is deliberately classified (the check is an allowlist built from the
// schema minus this table).
var notHonoured = map[tree.Path]string{
	tree.NewPath("services", "*", "build"):                                                    "berth does not build images yet; use an image that can be pulled or imported",
	tree.NewPath("services", "*", "develop"):                                                  "watch mode is not supported",
	tree.NewPath("services", "*", "provider"):                                                 "provider services are not supported",
	tree.NewPath("services", "*", "models"):                                                   "models are not supported",
	tree.NewPath("services", "*", "gpus"):                                                     "GPUs are not supported",
	tree.NewPath("services", "*", "attach"):                                                   "attach: false is not supported; all logs are attached",
	tree.NewPath("services", "*", "annotations"):                                              "OCI annotations are not set",
	tree.NewPath("services", "*", "blkio_config"):                                             "block I/O limits are not enforced",
	tree.NewPath("services", "*", "cpu_count"):                                                "cpu_count applies to Windows containers only",
	tree.NewPath("services", "*", "cpu_percent"):                                              "cpu_percent applies to Windows containers only",
	tree.NewPath("services", "*", "cpu_period"):                                               "CFS period is not configurable; use cpus",
	tree.NewPath("services", "*", "cpu_quota"):                                                "CFS quota is not configurable; use cpus",
	tree.NewPath("services", "*", "cpu_rt_period"):                                            "real-time CPU scheduling is not supported",
	tree.NewPath("services", "*", "cpu_rt_runtime"):                                           "real-time CPU scheduling is not supported",
	tree.NewPath("services", "*", "cgroup"):                                                   "cgroup namespace mode is not configurable",
	tree.NewPath("services", "*", "cgroup_parent"):                                            "containers always live under berth's cgroup",
	tree.NewPath("services", "*", "credential_spec"):                                          "credential_spec applies to Windows containers only",
	tree.NewPath("services", "*", "device_cgroup_rules"):                                      "device cgroup rules are not supported",
	tree.NewPath("services", "*", "external_links"):                                           "external_links are not supported",
	tree.NewPath("services", "*", "isolation"):                                                "isolation applies to Windows containers only",
	tree.NewPath("services", "*", "mem_swappiness"):                                           "mem_swappiness is not enforced",
	tree.NewPath("services", "*", "oom_kill_disable"):                                         "oom_kill_disable is not supported",
	tree.NewPath("services", "*", "platform"):                                                 "images are always pulled for the host's platform",
	tree.NewPath("services", "*", "pull_refresh_after"):                                       "pull_refresh_after is not supported",
	tree.NewPath("services", "*", "runtime"):                                                  "berth has one runtime, its own",
	tree.NewPath("services", "*", "storage_opt"):                                              "storage options are not supported",
	tree.NewPath("services", "*", "use_api_socket"):                                           "berth has no Docker API socket to share",
	tree.NewPath("services", "*", "userns_mode"):                                              "user namespaces are not supported",
	tree.NewPath("services", "*", "uts"):                                                      "uts: host is not supported",
	tree.NewPath("services", "*", "volume_driver"):                                            "only the local volume driver exists",
	tree.NewPath("services", "*", "pre_start"):                                                "lifecycle hooks are not supported",
	tree.NewPath("services", "*", "post_start"):                                               "lifecycle hooks are not supported",
	tree.NewPath("services", "*", "pre_stop"):                                                 "lifecycle hooks are not supported",
	tree.NewPath("services", "*", "deploy", "mode"):                                           "deploy.mode is only honoured by Swarm",
	tree.NewPath("services", "*", "deploy", "labels"):                                         "deploy.labels are only applied to Swarm services",
	tree.NewPath("services", "*", "deploy", "update_config"):                                  "rolling updates are only done by Swarm",
	tree.NewPath("services", "*", "deploy", "rollback_config"):                                "rolling updates are only done by Swarm",
	tree.NewPath("services", "*", "deploy", "endpoint_mode"):                                  "deploy.endpoint_mode only applies to Swarm's routing mesh",
	tree.NewPath("services", "*", "deploy", "placement"):                                      "deploy.placement is only honoured by the Swarm scheduler",
	tree.NewPath("services", "*", "deploy", "resources", "reservations", "cpus"):              "CPU reservations are a Swarm scheduling hint",
	tree.NewPath("services", "*", "deploy", "resources", "reservations", "devices"):           "device reservations (GPUs) are not supported",
	tree.NewPath("services", "*", "deploy", "resources", "reservations", "generic_resources"): "generic resources are only honoured by Swarm",
	tree.NewPath("jobs"):                                                                      "jobs are not supported",
	tree.NewPath("models"):                                                                    "models are not supported",
	tree.NewPath("networks", "*", "attachable"):                                               "attachable only applies to Swarm overlay networks",
	tree.NewPath("networks", "*", "enable_ipv4"):                                              "every berth network has IPv4",
	tree.NewPath("configs", "*", "labels"):                                                    "config labels are only applied to Swarm config objects",
	tree.NewPath("configs", "*", "template_driver"):                                           "template drivers are not supported",
	tree.NewPath("secrets", "*", "driver"):                                                    "secret drivers are not supported",
	tree.NewPath("secrets", "*", "driver_opts"):                                               "secret drivers are not supported",
	tree.NewPath("secrets", "*", "labels"):                                                    "secret labels are only applied to Swarm secret objects",
	tree.NewPath("secrets", "*", "template_driver"):                                           "template drivers are not supported",
}

// notHonouredValues are keys berth honours for some values only.
var notHonouredValues = []struct {
	path   tree.Path
	detect func(any) bool
	reason string
}{
	{tree.NewPath("services", "*", "logging", "driver"), notIn("json-file", "local", "none"), "only the json-file log driver exists"},
	{tree.NewPath("services", "*", "deploy", "mode"), notIn("replicated"), "deploy.mode is only honoured by Swarm"},
	{tree.NewPath("networks", "*", "driver"), notIn("bridge"), "only bridge networks exist"},
	{tree.NewPath("volumes", "*", "driver"), notIn("local"), "only the local volume driver exists"},
}

const genericReason = "not honoured by berth"

// Warning names one compose key berth does not honour.
type Warning struct {
	Service string // "" for a key outside services
	Path    string // dotted path below the service, or from the top
	Reason  string
}

func (w Warning) String() string {
	if w.Service != "" {
		return fmt.Sprintf("service %q: %s is ignored: %s", w.Service, w.Path, w.Reason)
	}
	return fmt.Sprintf("%s is ignored: %s", w.Path, w.Reason)
}

// ErrNotHonoured is returned with --strict when the project uses keys berth
// does not honour.
var ErrNotHonoured = errors.New("compose keys not honoured by berth")

func notIn(values ...string) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		return ok && s != "" && !slices.Contains(values, s)
	}
}

var honouredPaths = sync.OnceValue(func() []tree.Path {
	prefixes := make([][]string, 0, len(notHonoured))
	for prefix := range notHonoured {
		prefixes = append(prefixes, prefix.Parts())
	}
	var paths []tree.Path
	for _, p := range schema.AttributePaths() {
		if !underAny(p.Parts(), prefixes) {
			paths = append(paths, p)
		}
	}
	return paths
})

// underAny reports whether a path is a key of notHonoured or lies below
// one: a removed object's sub-keys must go too, or the allowlist walk would
// descend into it instead of reporting it whole. It runs for each of the
// schema's ~800 paths against each of the table's ~70 keys in every
// command that loads a project, so it matches parts in place ("*" matches
// any part, as tree.Path.Matches does) instead of building paths.
func underAny(parts []string, prefixes [][]string) bool {
	for _, prefix := range prefixes {
		if len(parts) >= len(prefix) && partsMatch(parts[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

func partsMatch(parts, pattern []string) bool {
	for i, part := range parts {
		if pattern[i] != tree.PathMatchAll && pattern[i] != part {
			return false
		}
	}
	return true
}

func unhonouredKeysCheck(report func([]Warning)) cli.ProjectOptionsFn {
	patterns := make([]loader.UnsupportedAttributePattern, len(notHonouredValues))
	for i, v := range notHonouredValues {
		patterns[i] = loader.UnsupportedAttributePattern{Path: v.path, Detect: v.detect}
	}
	toWarnings := func(findings []loader.UnsupportedAttribute) { report(warningsOf(findings)) }
	return cli.WithLoadOptions(
		loader.WithUnsupportedAttributesCheck(patterns, toWarnings),
		loader.WithSupportedAttributes(honouredPaths(), nil),
	)
}

func warningsOf(findings []loader.UnsupportedAttribute) []Warning {
	warnings := make([]Warning, 0, len(findings))
	for _, f := range findings {
		w := Warning{Path: f.Path.String(), Reason: reasonFor(f.Path)}
		if parts := f.Path.Parts(); len(parts) > 2 && parts[0] == "services" {
			w.Service, w.Path = parts[1], strings.Join(parts[2:], ".")
		}
		warnings = append(warnings, w)
	}
	slices.SortFunc(warnings, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Path, b.Path))
	})
	return warnings
}

func reasonFor(p tree.Path) string {
	for _, v := range notHonouredValues {
		if p.Matches(v.path) {
			return v.reason
		}
	}
	for pattern, reason := range notHonoured {
		if p.Matches(pattern) {
			return reason
		}
	}
	return genericReason
}

// reportUnhonoured hands the warnings to opts.Warn, or with opts.Strict
// makes them one error listing every key.
func reportUnhonoured(warnings []Warning, opts Options) error {
	if len(warnings) == 0 {
		return nil
	}
	if opts.Strict {
		lines := make([]string, len(warnings))
		for i, w := range warnings {
			lines[i] = w.String()
		}
		return fmt.Errorf("%w (--strict):\n%s", ErrNotHonoured, strings.Join(lines, "\n"))
	}
	if opts.WarnUnhonouredKeys && opts.Warn != nil {
		for _, w := range warnings {
			opts.Warn(w)
		}
	}
	return nil
}
