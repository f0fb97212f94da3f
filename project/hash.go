package project

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"
)

// hashKeyOrder is the order of a service's top-level keys in the JSON that
// Docker Compose hashes (its serviceHashKeyOrder, pinned to compose-go's
// historical field order so hashes survive refactorings of compose-go).
// berth must hash the same bytes: the hash is the com.docker.compose.config-hash
// label, and a differing value would make every container look changed.
// Keys not listed follow in sorted order.
var hashKeyOrder = []string{
	"profiles", "annotations", "attach", "build", "develop", "blkio_config",
	"cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent",
	"cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset",
	"cpu_shares", "command", "configs", "container_name", "credential_spec",
	"depends_on", "deploy", "device_cgroup_rules", "devices", "dns", "dns_opt",
	"dns_search", "dockerfile", "domainname", "entrypoint", "provider",
	"environment", "env_file", "expose", "extends", "external_links",
	"extra_hosts", "group_add", "gpus", "hostname", "healthcheck", "image",
	"init", "ipc", "isolation", "labels", "label_file", "links", "logging",
	"log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit",
	"mem_swappiness", "mac_address", "models", "net", "network_mode", "networks",
	"oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports",
	"privileged", "pull_policy", "read_only", "restart", "runtime", "scale",
	"secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period",
	"stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits",
	"use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes",
	"volumes_from", "working_dir", "pre_start", "post_start", "pre_stop",
	"pull_refresh_after",
}

// ServiceHash is the config hash of a service, the value Docker Compose
// prints for `config --hash` and stores in com.docker.compose.config-hash.
// What only affects how a service is built, scaled or ordered is left out,
// so changing it does not recreate containers.
func ServiceHash(s types.ServiceConfig) (string, error) {
	input, err := hashInput(s)
	if err != nil {
		return "", fmt.Errorf("hash service %q: %w", s.Name, err)
	}
	sum := sha256.Sum256(input)
	return hex.EncodeToString(sum[:]), nil
}

// hashInput is the JSON document ServiceHash digests.
func hashInput(s types.ServiceConfig) ([]byte, error) {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		deploy := *s.Deploy
		deploy.Replicas = nil
		s.Deploy = &deploy
	}
	s.DependsOn = nil
	s.Profiles = nil
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return orderTopLevelKeys(raw, hashKeyOrder)
}

// ProjectForHash narrows p to the named services (all when none) and
// prepares them as containers will be created: platforms settled and, with
// resolveEnv, env_file merged into environment. Narrowing comes first so
// that a broken env_file of an unrelated service does not prevent hashing
// the ones asked for.
func ProjectForHash(p *types.Project, services []string, resolveEnv bool) (*types.Project, error) {
	p, err := p.WithSelectedServices(services, types.IgnoreDependencies)
	if err != nil {
		return nil, err
	}
	if err := ApplyPlatforms(p); err != nil {
		return nil, err
	}
	if resolveEnv {
		return p.WithServicesEnvironmentResolved(true)
	}
	return p, nil
}

// orderTopLevelKeys re-emits a JSON object with its keys in order, the
// values byte for byte, and keys missing from order after them, sorted.
func orderTopLevelKeys(raw []byte, order []string) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(fields))
	for _, k := range order {
		if _, ok := fields[k]; ok {
			keys = append(keys, k)
		}
	}
	rest := make([]string, 0, len(fields)-len(keys))
	listed := make(map[string]bool, len(order))
	for _, k := range order {
		listed[k] = true
	}
	for k := range fields {
		if !listed[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range append(keys, rest...) {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(fields[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
