package spec

import (
	"reflect"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// support is what berth does with a compose key.
type support int

const (
	// here: FromService translates the key into the container's config.
	here support = iota
	// elsewhere: another part of berth honours it (named in the note);
	// FromService leaves it alone without a warning.
	elsewhere
	// ignored: no part of berth honours it; a service that sets it gets
	// a warning.
	ignored
)

// keyRule says what berth does with one key of a service, by its path as
// a compose file writes it.
type keyRule struct {
	key     string
	support support
	note    string // who honours it (elsewhere), or why not (ignored)
	// set, when not nil, replaces isSet as the test for a warning, for
	// keys whose default value may be written out.
	set func(*types.ServiceConfig) bool
}

// keyRules classifies every key of types.ServiceConfig (compose-go
// v2.16.1), field by field; keys_test.go fails when compose-go gains a
// field that is not listed. To honour a key, translate it in this package
// and move it to here, or move it to elsewhere with the package that
// honours it. Extension fields (x-*) carry data for other tools: they are
// never warned about. Keys with a value-level rule (a security_opt, a
// logging driver, ipc: none, a CDI device) are warned about by the step
// that translates them.
var keyRules = []keyRule{
	{key: "name", support: elsewhere, note: "project: the service's name"},
	{key: "profiles", support: elsewhere, note: "compose-go and project: which services are enabled"},
	{key: "deploy.mode", support: ignored, note: "swarm mode; only replicated applies on one host",
		set: func(s *types.ServiceConfig) bool {
			return s.Deploy != nil && s.Deploy.Mode != "" && s.Deploy.Mode != "replicated"
		}},
	{key: "deploy.replicas", support: elsewhere, note: "scheduler: the number of containers"},
	{key: "deploy.labels", support: ignored, note: "swarm service labels; Docker Compose ignores them too"},
	{key: "deploy.update_config", support: ignored, note: "swarm rolling updates"},
	{key: "deploy.rollback_config", support: ignored, note: "swarm rollbacks"},
	{key: "deploy.resources.limits.cpus", support: here},
	{key: "deploy.resources.limits.memory", support: here},
	{key: "deploy.resources.limits.pids", support: here},
	{key: "deploy.resources.limits.devices", support: ignored, note: "device requests (GPUs)"},
	{key: "deploy.resources.limits.generic_resources", support: ignored, note: "swarm generic resources"},
	{key: "deploy.resources.reservations.cpus", support: ignored, note: "a swarm scheduling hint; Docker Compose ignores it too"},
	{key: "deploy.resources.reservations.memory", support: here},
	{key: "deploy.resources.reservations.pids", support: ignored, note: "pids can only be limited"},
	{key: "deploy.resources.reservations.devices", support: ignored, note: "device requests (GPUs)"},
	{key: "deploy.resources.reservations.generic_resources", support: ignored, note: "swarm generic resources"},
	{key: "deploy.restart_policy", support: elsewhere, note: "scheduler: restart policy when restart is not set"},
	{key: "deploy.placement", support: ignored, note: "swarm placement; there is one host"},
	{key: "deploy.endpoint_mode", support: ignored, note: "swarm service discovery"},
	{key: "develop", support: ignored, note: "watch mode"},
	{key: "restart", support: elsewhere, note: "scheduler: restart policy"},
	{key: "scale", support: elsewhere, note: "scheduler: the number of containers"},
	{key: "attach", support: ignored, note: "the CLI shows every service's logs"},
	{key: "container_name", support: elsewhere, note: "project: the container's name"},
	{key: "provider", support: ignored, note: "provider services"},
	{key: "extends", support: elsewhere, note: "compose-go: merged at load"},
	{key: "external_links", support: ignored, note: "links to containers outside the project"},
	{key: "links", support: elsewhere, note: "netdns: aliases on the shared network"},
	{key: "net", support: ignored, note: "the version 1 form of network_mode"},
	{key: "pre_start", support: ignored, note: "lifecycle hooks"},
	{key: "post_start", support: ignored, note: "lifecycle hooks"},
	{key: "pre_stop", support: ignored, note: "lifecycle hooks"},

	// ContainerSpec
	{key: "annotations", support: ignored, note: "OCI annotations"},
	{key: "blkio_config", support: ignored, note: "block I/O weights and throttling"},
	{key: "cap_add", support: here},
	{key: "cap_drop", support: here},
	{key: "cgroup_parent", support: ignored, note: "containers get cgroups under berth's own parent"},
	{key: "cgroup", support: ignored, note: "cgroup namespace mode"},
	{key: "cpu_count", support: ignored, note: "Windows only"},
	{key: "cpu_percent", support: ignored, note: "Windows only"},
	{key: "cpu_period", support: ignored, note: "CFS period; use cpus"},
	{key: "cpu_quota", support: ignored, note: "CFS quota; use cpus"},
	{key: "cpu_rt_period", support: ignored, note: "real-time scheduling"},
	{key: "cpu_rt_runtime", support: ignored, note: "real-time scheduling"},
	{key: "cpus", support: here},
	{key: "cpuset", support: here},
	{key: "cpu_shares", support: here},
	{key: "command", support: here},
	{key: "configs", support: elsewhere, note: "volumes: files mounted into the container"},
	{key: "credential_spec", support: ignored, note: "Windows only"},
	{key: "device_cgroup_rules", support: ignored, note: "device cgroup rules"},
	{key: "devices", support: here},
	{key: "dns", support: elsewhere, note: "netdns: resolv.conf"},
	{key: "dns_opt", support: elsewhere, note: "netdns: resolv.conf"},
	{key: "dns_search", support: elsewhere, note: "netdns: resolv.conf"},
	{key: "domainname", support: here},
	{key: "entrypoint", support: here},
	{key: "environment", support: here},
	{key: "env_file", support: elsewhere, note: "compose-go: merged into environment at load"},
	{key: "extra_hosts", support: elsewhere, note: "netdns: /etc/hosts"},
	{key: "group_add", support: here},
	{key: "gpus", support: ignored, note: "GPU device requests"},
	{key: "hostname", support: here},
	{key: "image", support: elsewhere, note: "runtime/image: pull and unpack"},
	{key: "init", support: here},
	{key: "ipc", support: here},
	{key: "isolation", support: ignored, note: "Windows only"},
	{key: "labels", support: elsewhere, note: "project: container labels"},
	{key: "label_file", support: elsewhere, note: "compose-go: merged into labels at load"},
	{key: "logging", support: here},
	{key: "log_driver", support: ignored, note: "the version 2 form of logging; Docker Compose ignores it too"},
	{key: "log_opt", support: ignored, note: "the version 2 form of logging; Docker Compose ignores it too"},
	{key: "mem_limit", support: here},
	{key: "mem_reservation", support: here},
	{key: "mem_swappiness", support: ignored, note: "memory swappiness"},
	{key: "memswap_limit", support: here},
	{key: "mac_address", support: elsewhere, note: "netdns: the interface's address"},
	{key: "models", support: ignored, note: "AI models"},
	{key: "network_mode", support: here, note: "the namespace; netdns attaches the networks"},
	{key: "networks", support: elsewhere, note: "netdns: networks and aliases"},
	{key: "oom_kill_disable", support: ignored, note: "OOM killer control"},
	{key: "oom_score_adj", support: here},
	{key: "pid", support: here},
	{key: "pids_limit", support: here},
	{key: "platform", support: ignored, note: "images are used for the host's platform"},
	{key: "privileged", support: here},
	{key: "pull_policy", support: elsewhere, note: "runtime/image: when to pull"},
	{key: "pull_refresh_after", support: elsewhere, note: "runtime/image: when to pull"},
	{key: "read_only", support: here},
	{key: "runtime", support: ignored, note: "berth has one embedded runtime"},
	{key: "secrets", support: elsewhere, note: "volumes: files mounted into the container"},
	{key: "security_opt", support: here},
	{key: "shm_size", support: here},
	{key: "stop_grace_period", support: here},
	{key: "stop_signal", support: here},
	{key: "storage_opt", support: ignored, note: "storage driver options"},
	{key: "sysctls", support: here},
	{key: "tmpfs", support: here},
	{key: "ulimits", support: here},
	{key: "use_api_socket", support: ignored, note: "there is no Docker API socket"},
	{key: "user", support: here},
	{key: "userns_mode", support: ignored, note: "user namespaces"},
	{key: "uts", support: ignored, note: "the container always gets its own UTS namespace"},
	{key: "volume_driver", support: ignored, note: "volume plugins"},
	{key: "volumes", support: elsewhere, note: "volumes: bind, named, tmpfs mounts and image VOLUMEs"},
	{key: "volumes_from", support: elsewhere, note: "volumes: another container's mounts"},
	{key: "working_dir", support: here},

	// WorkloadSpec
	{key: "build", support: elsewhere, note: "image building"},
	{key: "depends_on", support: elsewhere, note: "scheduler: start order and conditions"},
	{key: "dockerfile", support: elsewhere, note: "image building"},
	{key: "expose", support: elsewhere, note: "netdns: informational, as in Docker"},
	{key: "healthcheck", support: elsewhere, note: "scheduler: health checks"},
	{key: "ports", support: elsewhere, note: "netdns: published ports"},
	{key: "stdin_open", support: here},
	{key: "tty", support: here},
}

// Unhonoured warns about every key of svc that is set and that no part of
// berth honours, in the order of keyRules. FromService returns these among
// its warnings; the project can call it at load time.
func Unhonoured(svc types.ServiceConfig) []Warning {
	var warnings []Warning
	v := reflect.ValueOf(svc)
	for _, r := range keyRules {
		if r.support != ignored {
			continue
		}
		set := r.set != nil && r.set(&svc)
		if r.set == nil {
			f, ok := fieldByKey(v, r.key)
			set = ok && isSet(f)
		}
		if set {
			warnings = append(warnings, Warning{Service: svc.Name, Key: r.key, Detail: "not supported (" + r.note + "): ignored"})
		}
	}
	return warnings
}

// isSet reports whether a loaded value says anything: compose-go leaves
// empty lists and maps (and structs of them) where a key is absent, while
// a pointer, even to false or 0, was written by the user.
func isSet(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() > 0
	case reflect.Pointer:
		return !v.IsNil()
	case reflect.Struct:
		for i := range v.NumField() {
			if isSet(v.Field(i)) {
				return true
			}
		}
		return false
	default:
		return !v.IsZero()
	}
}

// fieldByKey finds the field a dotted compose key names, by yaml tag,
// through pointers and inlined structs; ok is false when a pointer on the
// way is nil or no field has the name.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	for name := range strings.SplitSeq(key, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		f, ok := fieldByTag(v, name)
		if !ok {
			return reflect.Value{}, false
		}
		v = f
	}
	return v, true
}

// fieldByTag finds the field of struct v whose yaml name is name, looking
// into inlined fields.
func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	for i := range v.NumField() {
		tag, opts, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		if tag == name {
			return v.Field(i), true
		}
		if strings.Contains(opts, "inline") && v.Field(i).Kind() == reflect.Struct {
			if f, ok := fieldByTag(v.Field(i), name); ok {
				return f, true
			}
		}
	}
	return reflect.Value{}, false
}
