package volumes

import (
	"path"
	"slices"
	"strings"
)

// targets lists the destinations of the service's own mounts.
func (plan *servicePlan) targets() []string {
	var out []string
	for _, b := range plan.binds {
		out = append(out, b.mount.Destination)
	}
	for _, m := range plan.tmpfs {
		out = append(out, m.Destination)
	}
	for _, v := range plan.volumes {
		out = append(out, v.target)
	}
	for _, f := range plan.files {
		out = append(out, f.target)
	}
	return out
}

// checkTargets refuses two mounts at one place, as Docker ("duplicate
// mount point").
func (plan *servicePlan) checkTargets(service string) error {
	seen := map[string]bool{}
	for _, t := range plan.targets() {
		if seen[t] {
			return invalidf("service %q: duplicate mount point %q", service, t)
		}
		seen[t] = true
	}
	return nil
}

// addImageVolumes gives each VOLUME of the image that no mount of the
// service covers an anonymous volume, as Docker does.
func (plan *servicePlan) addImageVolumes(imageVolumes []string) {
	targets := plan.targets()
	for _, v := range imageVolumes {
		target := path.Clean("/" + v)
		if slices.Contains(targets, target) {
			continue
		}
		targets = append(targets, target)
		plan.volumes = append(plan.volumes, volumePlan{target: target, fromImage: true})
	}
}

// dropCoveredImageVolumes removes the image's anonymous volumes where
// volumes_from mounts something: Docker gives an image VOLUME its own
// volume only where no mount of the container goes.
func (plan *servicePlan) dropCoveredImageVolumes(inherited []Mount) {
	plan.volumes = slices.DeleteFunc(plan.volumes, func(v volumePlan) bool {
		return v.fromImage && slices.ContainsFunc(inherited, func(m Mount) bool { return m.Destination == v.target })
	})
}

// mergeInherited adds the volumes_from mounts whose destination the
// service does not mount itself: the service's own mounts win.
func mergeInherited(own, inherited []Mount) []Mount {
	out := slices.Clone(own)
	for _, m := range inherited {
		if !slices.ContainsFunc(out, func(o Mount) bool { return o.Destination == m.Destination }) {
			out = append(out, m)
		}
	}
	return out
}

// sortMounts orders mounts so that a parent directory is mounted before
// what is mounted inside it, as Docker sorts by path depth.
func sortMounts(mounts []Mount) {
	slices.SortStableFunc(mounts, func(a, b Mount) int {
		return depth(a.Destination) - depth(b.Destination)
	})
}

func depth(p string) int {
	return strings.Count(path.Clean(p), "/")
}
