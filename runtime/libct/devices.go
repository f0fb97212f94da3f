package libct

import (
	"fmt"

	"github.com/moby/sys/devices"
	devconfig "github.com/opencontainers/cgroups/devices/config"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

// addDevices makes the configured host devices available: the node in the
// container's /dev and an allow rule in the devices cgroup. libcontainer
// adds Docker's defaults (null, zero, full, random, urandom, tty, ptmx,
// pts) itself. A privileged container gets every host device and no
// device rule at all.
func addDevices(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	s.Linux.Resources = &specs.LinuxResources{}
	if cfg.Privileged {
		s.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
		host, err := devices.HostDevices()
		if err != nil {
			return fmt.Errorf("list host devices: %w", err)
		}
		for _, d := range host {
			s.Linux.Devices = append(s.Linux.Devices, specDevice(d, d.Path))
		}
		return nil
	}
	s.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
	for _, d := range cfg.Devices {
		if err := addDevice(s, d); err != nil {
			return err
		}
	}
	return nil
}

func addDevice(s *specs.Spec, d runtime.Device) error {
	dev, err := devices.DeviceFromPath(d.HostPath, "rwm")
	if err != nil {
		return fmt.Errorf("device %q: %w", d.HostPath, err)
	}
	path := d.ContainerPath
	if path == "" {
		path = d.HostPath
	}
	perms := d.Permissions
	if perms == "" {
		perms = "rwm"
	}
	s.Linux.Devices = append(s.Linux.Devices, specDevice(dev, path))
	major, minor := dev.Major, dev.Minor
	s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{
		Allow: true, Type: string(rune(dev.Type)), Major: &major, Minor: &minor, Access: perms,
	})
	return nil
}

func specDevice(d *devconfig.Device, path string) specs.LinuxDevice {
	mode := d.FileMode
	uid, gid := d.Uid, d.Gid
	return specs.LinuxDevice{
		Path: path, Type: string(rune(d.Type)), Major: d.Major, Minor: d.Minor,
		FileMode: &mode, UID: &uid, GID: &gid,
	}
}
