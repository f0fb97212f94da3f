package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
)

// rss starts n sleeping containers with each runtime and reports the
// resident memory of their monitors.
func rss(ctx context.Context, rt *libct.Runtime, r *runc, rootfs string, n int) error {
	var berth, runcRSS []int
	for i := range n {
		id := fmt.Sprintf("sleep-%d", i)
		cfg := &runtime.ContainerConfig{
			ID: id, LowerDirs: []string{rootfs},
			Process: runtime.Process{Args: []string{"sleep", "1000"}, Env: []string{"PATH=/bin"}, Cwd: "/"},
		}
		if _, err := rt.Create(ctx, cfg); err != nil {
			return err
		}
		defer stopBerth(rt, id)
		if err := rt.Start(ctx, id); err != nil {
			return err
		}
	}
	// As for runc, let every monitor settle into its wait; berth's shims
	// shed what creating took a second after it (runtime/shim).
	time.Sleep(1500 * time.Millisecond)
	for i := range n {
		kb, err := shimRSS(rt, fmt.Sprintf("sleep-%d", i))
		if err != nil {
			return err
		}
		berth = append(berth, kb)
	}
	if err := r.setArgs("sleep", "1000"); err != nil {
		return err
	}
	for i := range n {
		kb, stop, err := r.monitorRSS(ctx, fmt.Sprintf("runc-sleep-%d", i))
		if err != nil {
			return err
		}
		defer stop()
		runcRSS = append(runcRSS, kb)
	}
	fmt.Printf("monitor RSS per running container, %d containers each\n", n)
	reportKB("berth shim", berth)
	reportKB("runc run (foreground)", runcRSS)
	fmt.Printf("  Pss of each (berth shims, then runc): %s\n", strings.Join(pssKB, ", "))
	return nil
}

func stopBerth(rt *libct.Runtime, id string) {
	ctx := context.Background()
	_ = rt.Stop(ctx, id, syscall.SIGKILL, 0)
	_ = rt.Remove(ctx, id)
}

// shimRSS reads the shim's VmRSS once the container runs.
func shimRSS(rt *libct.Runtime, id string) (int, error) {
	c, err := rt.Inspect(context.Background(), id)
	if err != nil {
		return 0, err
	}
	ppid, err := parentPid(c.Pid)
	if err != nil {
		return 0, err
	}
	return vmRSS(ppid)
}

// monitorRSS starts `runc run` in the foreground (it stays the parent of
// the container, as berth's shim is) and reads its VmRSS once the
// container's process is running.
func (r *runc) monitorRSS(ctx context.Context, id string) (int, func(), error) {
	cmd := exec.CommandContext(ctx, r.path, "--root", r.root, "run", "--bundle", r.bundle, id)
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	stop := func() {
		_ = exec.Command(r.path, "--root", r.root, "kill", id, "KILL").Run()
		_ = cmd.Wait()
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command(r.path, "--root", r.root, "state", id).Output()
		if bytes.Contains(out, []byte(`"status": "running"`)) {
			time.Sleep(50 * time.Millisecond) // let runc settle into its wait
			kb, err := vmRSS(cmd.Process.Pid)
			return kb, stop, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return 0, nil, fmt.Errorf("runc container %s did not start", id)
}

func parentPid(pid int) (int, error) {
	v, err := statusField(pid, "PPid:")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// vmRSS is the process's resident set in KiB, with its proportional set
// size (shared pages divided among their users) printed beside it.
func vmRSS(pid int) (int, error) {
	v, err := statusField(pid, "VmRSS:")
	if err != nil {
		return 0, err
	}
	if pss, err := fileField(fmt.Sprintf("/proc/%d/smaps_rollup", pid), "Pss:"); err == nil {
		pssKB = append(pssKB, pss)
	}
	return strconv.Atoi(strings.TrimSuffix(v, " kB"))
}

// pssKB collects the Pss of each measured monitor, in measuring order.
var pssKB []string

func statusField(pid int, key string) (string, error) {
	return fileField(fmt.Sprintf("/proc/%d/status", pid), key)
}

func fileField(path, key string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("no %s in %s", key, path)
}

func reportKB(name string, kbs []int) {
	s := slices.Clone(kbs)
	slices.Sort(s)
	fmt.Printf("  %-30s median %6.2f MiB   min %6.2f MiB   max %6.2f MiB\n", name,
		float64(s[len(s)/2])/1024, float64(s[0])/1024, float64(s[len(s)-1])/1024)
}
