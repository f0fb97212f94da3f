package spec

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/berth-dev/berth/runtime"
)

// tmpfsDefaults are the options Docker mounts every tmpfs with, before the
// service's own.
var tmpfsDefaults = []string{"noexec", "nosuid", "nodev"}

// tmpfsFlags groups the flags a tmpfs accepts by the setting they choose,
// so that a later "exec" overrides the default "noexec" (mount(8)).
var tmpfsFlags = [][]string{
	{"ro", "rw"}, {"suid", "nosuid"}, {"dev", "nodev"}, {"exec", "noexec"},
	{"sync", "async"}, {"dirsync"}, {"mand", "nomand"}, {"atime", "noatime"},
	{"diratime", "nodiratime"}, {"relatime", "norelatime"},
	{"strictatime", "nostrictatime"},
	{"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"},
}

// tmpfsData validates the value of each key=value option tmpfs takes
// (tmpfs(5)): sizes with the kernel's k/m/g suffixes or a percentage of
// RAM, an octal mode, numeric ids, and a NUMA policy passed as is.
var tmpfsData = map[string]*regexp.Regexp{
	"size":      regexp.MustCompile(`^[0-9]+([kKmMgGtTpPeE%])?$`),
	"nr_blocks": regexp.MustCompile(`^[0-9]+([kKmMgGtTpPeE%])?$`),
	"nr_inodes": regexp.MustCompile(`^[0-9]+([kKmMgGtTpPeE%])?$`),
	"mode":      regexp.MustCompile(`^[0-7]{1,4}$`),
	"uid":       regexp.MustCompile(`^[0-9]+$`),
	"gid":       regexp.MustCompile(`^[0-9]+$`),
	"mpol":      regexp.MustCompile(`^.+$`),
}

// tmpfs mounts a tmpfs for each "path[:options]" of the service's tmpfs
// list, with Docker's default options merged with the given ones (the last
// one for each setting wins).
func (t *translation) tmpfs() error {
	for _, entry := range t.svc.Tmpfs {
		dest, opts, _ := strings.Cut(entry, ":")
		if !path.IsAbs(dest) || path.Clean(dest) == "/" {
			return t.invalid("tmpfs", "%q: the mount point must be an absolute path other than /", entry)
		}
		dest = path.Clean(dest)
		if slices.ContainsFunc(t.cfg.Mounts, func(m runtime.Mount) bool { return m.Destination == dest }) {
			return t.invalid("tmpfs", "duplicate mount point %q", dest)
		}
		merged, err := t.mergeTmpfsOptions(entry, opts)
		if err != nil {
			return err
		}
		t.cfg.Mounts = append(t.cfg.Mounts, runtime.Mount{Source: "tmpfs", Destination: dest, Type: "tmpfs", Options: merged})
	}
	return nil
}

// mergeTmpfsOptions appends opts (comma-separated) to Docker's defaults and
// keeps only the last option for each setting, in order.
func (t *translation) mergeTmpfsOptions(entry, opts string) ([]string, error) {
	all := slices.Clone(tmpfsDefaults)
	if opts != "" {
		all = append(all, strings.Split(opts, ",")...)
	}
	seen := map[string]bool{}
	var merged []string
	for _, o := range slices.Backward(all) {
		setting, err := t.tmpfsSetting(entry, o)
		if err != nil {
			return nil, err
		}
		if setting != "" && !seen[setting] {
			seen[setting] = true
			merged = append(merged, o)
		}
	}
	slices.Reverse(merged)
	return merged, nil
}

// tmpfsSetting names what a tmpfs option sets ("" for "defaults").
func (t *translation) tmpfsSetting(entry, o string) (string, error) {
	if o == "defaults" {
		return "", nil
	}
	if i := slices.IndexFunc(tmpfsFlags, func(g []string) bool { return slices.Contains(g, o) }); i >= 0 {
		return tmpfsFlags[i][0], nil
	}
	key, value, _ := strings.Cut(o, "=")
	if re, ok := tmpfsData[key]; ok && re.MatchString(value) {
		return "=" + key, nil
	}
	return "", t.invalid("tmpfs", "%q: invalid tmpfs option %q", entry, o)
}

// devices makes host devices available as "source[:target[:permissions]]"
// says (compose-go splits it). A CDI name (vendor.com/class=name) is not
// supported: a warning.
func (t *translation) devices() error {
	for _, d := range t.svc.Devices {
		if !path.IsAbs(d.Source) && strings.Contains(d.Source, "=") {
			t.warn("devices", "CDI device %q is not supported and is ignored", d.Source)
			continue
		}
		target := d.Target
		if target == "" {
			target = d.Source
		}
		if !path.IsAbs(d.Source) || !path.IsAbs(target) {
			return t.invalid("devices", "%s:%s: both paths must be absolute", d.Source, target)
		}
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		if !validDeviceMode(perms) {
			return t.invalid("devices", "%s: invalid permissions %q: want a subset of rwm", d.Source, perms)
		}
		t.cfg.Devices = append(t.cfg.Devices, runtime.Device{HostPath: path.Clean(d.Source), ContainerPath: path.Clean(target), Permissions: perms})
	}
	return nil
}

// validDeviceMode reports whether mode is a non-empty set of r, w and m,
// each at most once, as the device cgroup takes them.
func validDeviceMode(mode string) bool {
	if mode == "" || len(mode) > 3 {
		return false
	}
	for i, c := range mode {
		if !strings.ContainsRune("rwm", c) || strings.ContainsRune(mode[i+1:], c) {
			return false
		}
	}
	return true
}
