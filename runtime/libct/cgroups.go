package libct

import (
	"os"
	"path/filepath"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

// cgroupParent groups every berth container's cgroups, under each v1
// controller's hierarchy or in the v2 tree.
const cgroupParent = "/berth"

func cgroupsPath(id string) string {
	return cgroupParent + "/" + id
}

func cgroup2() bool {
	return cgroups.IsCgroup2UnifiedMode()
}

// cfsPeriod is the CFS period Docker uses for --cpus, in microseconds.
const cfsPeriod = 100000

// addResources sets the cgroup limits: memory (with Docker's default of
// swap = 2 x memory), CPUs as a CFS quota, shares, cpusets and pids.
func addResources(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	r, res := cfg.Resources, s.Linux.Resources
	if r.Memory > 0 || r.MemoryReservation > 0 {
		res.Memory = &specs.LinuxMemory{}
		if r.Memory > 0 {
			res.Memory.Limit = &r.Memory
			res.Memory.Swap = memorySwap(r)
		}
		if r.MemoryReservation > 0 {
			res.Memory.Reservation = &r.MemoryReservation
		}
	}
	if r.NanoCPUs > 0 || r.CPUShares > 0 || r.CpusetCpus != "" || r.CpusetMems != "" {
		res.CPU = &specs.LinuxCPU{Cpus: r.CpusetCpus, Mems: r.CpusetMems}
		if r.CPUShares > 0 {
			res.CPU.Shares = &r.CPUShares
		}
		if r.NanoCPUs > 0 {
			quota, period := r.NanoCPUs*cfsPeriod/1e9, uint64(cfsPeriod)
			res.CPU.Quota, res.CPU.Period = &quota, &period
		}
	}
	if r.PidsLimit > 0 {
		res.Pids = &specs.LinuxPids{Limit: &r.PidsLimit}
	}
	return nil
}

// memorySwap is the memory+swap limit: twice the memory limit unless set,
// as Docker does. On cgroup v1 without swap accounting there is no
// memory.memsw file to write, so swap stays unlimited (Docker warns the
// same).
func memorySwap(r runtime.Resources) *int64 {
	if !cgroup2() && !exists(filepath.Join(memoryMount(), "memory.memsw.limit_in_bytes")) {
		return nil
	}
	swap := r.MemorySwap
	if swap == 0 {
		swap = 2 * r.Memory
	}
	return &swap
}

func memoryMount() string {
	mnt, err := cgroups.FindCgroupMountpoint("", "memory")
	if err != nil {
		return "/sys/fs/cgroup/memory"
	}
	return mnt
}

// oomFile is the file whose "oom_kill" counter tells whether the kernel's
// OOM killer hit the container's cgroup.
func oomFile(id string) string {
	if cgroup2() {
		return filepath.Join("/sys/fs/cgroup", cgroupsPath(id), "memory.events")
	}
	return filepath.Join(memoryMount(), cgroupsPath(id), "memory.oom_control")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
