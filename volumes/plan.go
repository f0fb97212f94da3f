package volumes

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
)

// servicePlan is everything a container of a service mounts, read and
// checked before anything is created, so that bad input fails with nothing
// half-made.
type servicePlan struct {
	binds    []bindPlan
	tmpfs    []Mount
	volumes  []volumePlan
	from     []VolumesFrom
	files    []filePlan
	warnings []Warning
}

// volumePlan is a named or anonymous volume mounted at target.
type volumePlan struct {
	target    string
	key       string // the project's key for a named volume; "" for anonymous
	name      string // the volume's name; "" for anonymous
	config    types.VolumeConfig
	readOnly  bool
	noCopy    bool
	subpath   string
	fromImage bool              // a VOLUME of the image: volumes_from may cover it
	labels    map[string]string // volume.labels, for an anonymous volume
}

// planService translates the service's volumes, tmpfs, volumes_from,
// configs and secrets, plus the image's VOLUME paths that no mount covers.
func planService(p *types.Project, s types.ServiceConfig, imageVolumes []string) (servicePlan, error) {
	var plan servicePlan
	for i, v := range s.Volumes {
		if err := plan.addVolume(p, s.Name, fmt.Sprintf("volumes[%d]", i), v); err != nil {
			return servicePlan{}, fmt.Errorf("service %q: %w", s.Name, err)
		}
	}
	for i, spec := range s.Tmpfs {
		m, err := planTmpfsKey(fmt.Sprintf("tmpfs[%d]", i), spec)
		if err != nil {
			return servicePlan{}, fmt.Errorf("service %q: %w", s.Name, err)
		}
		plan.tmpfs = append(plan.tmpfs, m)
	}
	if err := plan.addVolumesFrom(p, s); err != nil {
		return servicePlan{}, err
	}
	if err := plan.addFiles(p, s); err != nil {
		return servicePlan{}, err
	}
	if err := plan.checkTargets(s.Name); err != nil {
		return servicePlan{}, err
	}
	plan.addImageVolumes(imageVolumes)
	return plan, nil
}

func (plan *servicePlan) addVolume(p *types.Project, service, key string, v types.ServiceVolumeConfig) error {
	if !path.IsAbs(v.Target) {
		return invalidf("%s: target %q is not an absolute path", key, v.Target)
	}
	v.Target = path.Clean(v.Target)
	switch v.Type {
	case types.VolumeTypeBind:
		b, notes, err := planBind(p.WorkingDir, key, v)
		if err != nil {
			return err
		}
		plan.binds = append(plan.binds, b)
		plan.warn(service, key+".bind.selinux", notes)
	case types.VolumeTypeTmpfs:
		m, err := planTmpfsVolume(key, v)
		if err != nil {
			return err
		}
		plan.tmpfs = append(plan.tmpfs, m)
	case types.VolumeTypeVolume, "":
		vp, err := planVolume(p, key, v)
		if err != nil {
			return err
		}
		plan.volumes = append(plan.volumes, vp)
	default:
		return fmt.Errorf("%s: volume type %q: %w", key, v.Type, ErrUnsupported)
	}
	return nil
}

func (plan *servicePlan) warn(service, key string, notes []string) {
	for _, n := range notes {
		plan.warnings = append(plan.warnings, Warning{Service: service, Key: key, Message: n})
	}
}

// planVolume resolves a volume entry: no source makes an anonymous
// volume, a source names a volume the project declares.
func planVolume(p *types.Project, key string, v types.ServiceVolumeConfig) (volumePlan, error) {
	vp := volumePlan{target: v.Target, readOnly: v.ReadOnly}
	if v.Volume != nil {
		vp.noCopy, vp.subpath, vp.labels = v.Volume.NoCopy, v.Volume.Subpath, v.Volume.Labels
	}
	if vp.subpath != "" && !filepath.IsLocal(vp.subpath) {
		return volumePlan{}, invalidf("%s: volume.subpath %q leaves the volume", key, vp.subpath)
	}
	if v.Source == "" {
		return vp, nil
	}
	config, ok := p.Volumes[v.Source]
	if !ok {
		return volumePlan{}, invalidf("%s: undefined volume %q: declare it under the top-level volumes key", key, v.Source)
	}
	vp.key, vp.config, vp.name = v.Source, config, projectVolumeName(p, v.Source, config)
	if err := ValidateName(vp.name); err != nil {
		return volumePlan{}, fmt.Errorf("%s: %w", key, err)
	}
	return vp, nil
}

// projectVolumeName is config.Name as compose-go's loader sets it, or the
// same rule when the project did not go through it.
func projectVolumeName(p *types.Project, key string, config types.VolumeConfig) string {
	switch {
	case config.Name != "":
		return config.Name
	case bool(config.External):
		return key
	}
	return ProjectVolumeName(p.Name, key)
}

func (plan *servicePlan) addVolumesFrom(p *types.Project, s types.ServiceConfig) error {
	for i, spec := range s.VolumesFrom {
		ref, err := parseVolumesFrom(spec)
		if err != nil {
			return fmt.Errorf("service %q: volumes_from[%d]: %w", s.Name, i, err)
		}
		if _, known := p.Services[ref.Service]; ref.Service != "" && !known {
			return invalidf("service %q: volumes_from[%d]: unknown service %q", s.Name, i, ref.Service)
		}
		plan.from = append(plan.from, ref)
	}
	return nil
}

func (plan *servicePlan) addFiles(p *types.Project, s types.ServiceConfig) error {
	configs, err := planConfigs(p, s)
	if err != nil {
		return err
	}
	secrets, err := planSecrets(p, s)
	if err != nil {
		return err
	}
	plan.files = slices.Concat(configs, secrets)
	return nil
}
