package volumes

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// tmpfsDefaults are the options Docker gives every tmpfs mount of a
// container (moby daemon/oci_linux.go); the user's options override them.
var tmpfsDefaults = []string{"nosuid", "nodev", "noexec"}

// tmpfsOpposites pairs each flag with the one that cancels it.
var tmpfsOpposites = map[string]string{
	"ro": "rw", "rw": "ro", "exec": "noexec", "noexec": "exec",
	"suid": "nosuid", "nosuid": "suid", "dev": "nodev", "nodev": "dev",
	"atime": "noatime", "noatime": "atime",
}

// planTmpfsVolume translates a `type: tmpfs` entry of a service's volumes.
func planTmpfsVolume(key string, v types.ServiceVolumeConfig) (Mount, error) {
	if v.Source != "" {
		return Mount{}, invalidf("%s: a tmpfs mount takes no source (%q)", key, v.Source)
	}
	var opts []string
	if v.ReadOnly {
		opts = append(opts, "ro")
	}
	if t := v.Tmpfs; t != nil && t.Size > 0 {
		opts = append(opts, fmt.Sprintf("size=%d", t.Size))
	}
	if t := v.Tmpfs; t != nil && t.Mode != 0 {
		opts = append(opts, fmt.Sprintf("mode=%o", t.Mode))
	}
	return tmpfsMount(key, v.Target, opts)
}

// planTmpfsKey translates one entry of the service's `tmpfs:` key,
// "PATH[:OPTIONS]" as `docker run --tmpfs`.
func planTmpfsKey(key, spec string) (Mount, error) {
	target, options, _ := strings.Cut(spec, ":")
	var opts []string
	if options != "" {
		opts = strings.Split(options, ",")
	}
	return tmpfsMount(key, target, opts)
}

func tmpfsMount(key, target string, opts []string) (Mount, error) {
	if !path.IsAbs(target) {
		return Mount{}, invalidf("%s: tmpfs target %q is not an absolute path", key, target)
	}
	return Mount{
		Source:      "tmpfs",
		Destination: path.Clean(target),
		Type:        "tmpfs",
		Options:     mergeTmpfsOptions(tmpfsDefaults, opts),
	}, nil
}

// mergeTmpfsOptions applies extra over base: a flag replaces its
// opposite, a key=value replaces the same key.
func mergeTmpfsOptions(base, extra []string) []string {
	out := slices.Clone(base)
	for _, opt := range extra {
		if opt == "" {
			continue
		}
		out = slices.DeleteFunc(out, func(o string) bool { return sameTmpfsOption(o, opt) })
		out = append(out, opt)
	}
	return out
}

func sameTmpfsOption(a, b string) bool {
	ka, _, aIsKV := strings.Cut(a, "=")
	kb, _, bIsKV := strings.Cut(b, "=")
	if aIsKV || bIsKV {
		return aIsKV && bIsKV && ka == kb
	}
	return a == b || tmpfsOpposites[b] == a
}
