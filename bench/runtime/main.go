// Command runtime benchmarks berth's container runtime against Debian's
// runc on the same busybox rootfs, in the same run: start-to-exit latency
// of /bin/true, and the resident memory of the process that monitors a
// running container (berth's shim; runc's foreground `runc run`).
//
// Run as root: go build -tags seccomp -o /tmp/rtbench ./bench/runtime && /tmp/rtbench
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
	"github.com/berth-dev/berth/runtime/runtimetest"
)

func main() {
	libct.Init() // this binary is also the shim, the create helper and init
	runs := flag.Int("runs", 50, "containers started per runtime")
	monitors := flag.Int("monitors", 10, "running containers whose monitor RSS is measured")
	runcPath := flag.String("runc", "/usr/sbin/runc", "runc binary to compare with")
	flag.Parse()
	// Interrupted, it still stops and removes what it started.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, *runs, *monitors, *runcPath); err != nil {
		stop()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func bench(ctx context.Context, runs, monitors int, runcPath string) error {
	tmp, err := os.MkdirTemp("", "berth-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rootfs := filepath.Join(tmp, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return err
	}
	if err := runtimetest.BuildBusybox(rootfs); err != nil {
		return err
	}
	rt, err := libct.New(filepath.Join(tmp, "berth"))
	if err != nil {
		return err
	}
	r := &runc{path: runcPath, root: filepath.Join(tmp, "runc-state"), bundle: filepath.Join(tmp, "bundle"), rootfs: rootfs}
	if err := r.prepare(); err != nil {
		return err
	}
	// runc again, on the spec berth writes (Docker's defaults and seccomp
	// profile), so the filter's cost is compared like for like.
	rb := &runc{path: runcPath, root: r.root, bundle: filepath.Join(tmp, "bundle-berth"), rootfs: rootfs}
	if err := rb.prepareFromBerth(ctx, rt, filepath.Join(tmp, "berth"), rootfs); err != nil {
		return err
	}
	fmt.Printf("start-to-exit of /bin/true, %d runs each, interleaved\n", runs)
	var berth, berthUnconfined, runcTimes, runcBerthSpec []time.Duration
	for i := range runs {
		d, err := berthRun(ctx, rt, rootfs, fmt.Sprintf("true-%d", i), "")
		if err != nil {
			return err
		}
		berth = append(berth, d)
		if d, err = berthRun(ctx, rt, rootfs, fmt.Sprintf("trueu-%d", i), "unconfined"); err != nil {
			return err
		}
		berthUnconfined = append(berthUnconfined, d)
		if d, err = r.run(ctx, fmt.Sprintf("runc-%d", i), "/bin/true"); err != nil {
			return err
		}
		runcTimes = append(runcTimes, d)
		if d, err = rb.run(ctx, fmt.Sprintf("runcb-%d", i), "/bin/true"); err != nil {
			return err
		}
		runcBerthSpec = append(runcBerthSpec, d)
	}
	report("berth (default seccomp)", berth)
	report("berth (seccomp unconfined)", berthUnconfined)
	report("runc run (its default spec)", runcTimes)
	report("runc run (berth's spec)", runcBerthSpec)
	return rss(ctx, rt, r, rootfs, monitors)
}

// berthRun times Create, Start, Wait and Remove of one /bin/true container:
// what `runc run` does from its start to its exit.
func berthRun(ctx context.Context, rt *libct.Runtime, rootfs, id, seccomp string) (time.Duration, error) {
	cfg := &runtime.ContainerConfig{
		ID: id, LowerDirs: []string{rootfs}, Seccomp: seccomp,
		Process: runtime.Process{Args: []string{"/bin/true"}, Env: []string{"PATH=/bin"}, Cwd: "/"},
	}
	start := time.Now()
	if _, err := rt.Create(ctx, cfg); err != nil {
		return 0, err
	}
	if err := rt.Start(ctx, id); err != nil {
		return 0, err
	}
	st, err := rt.Wait(ctx, id)
	if err != nil {
		return 0, err
	}
	if err := rt.Remove(ctx, id); err != nil {
		return 0, err
	}
	d := time.Since(start)

	if st.Code != 0 {
		return 0, fmt.Errorf("berth: /bin/true exited %d", st.Code)
	}
	return d, nil
}

func report(name string, ds []time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	fmt.Printf("  %-30s median %7.2f ms   min %7.2f ms\n", name, ms(s[len(s)/2]), ms(s[0]))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runc drives Debian's runc on a bundle of the same rootfs.
type runc struct {
	path, root, bundle, rootfs string
}

// prepare writes the bundle's config.json: `runc spec` with the rootfs
// and no terminal.
func (r *runc) prepare() error {
	if err := os.MkdirAll(r.bundle, 0o755); err != nil {
		return err
	}
	cmd := exec.Command(r.path, "spec", "--bundle", r.bundle)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("runc spec: %w: %s", err, out)
	}
	path := filepath.Join(r.bundle, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		return err
	}
	spec["root"] = map[string]any{"path": r.rootfs, "readonly": true}
	proc := spec["process"].(map[string]any)
	proc["terminal"] = false
	b, err = json.Marshal(spec)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// prepareFromBerth writes the bundle's config.json from the spec berth
// generates for a container (default seccomp profile), pointed at the
// plain rootfs and runc's own cgroup.
func (r *runc) prepareFromBerth(ctx context.Context, rt *libct.Runtime, berthRoot, rootfs string) error {
	const id = "spec-probe"
	cfg := &runtime.ContainerConfig{
		ID: id, LowerDirs: []string{rootfs},
		Process: runtime.Process{Args: []string{"/bin/true"}, Env: []string{"PATH=/bin"}, Cwd: "/"},
	}
	if _, err := rt.Create(ctx, cfg); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(berthRoot, "containers", id, "config.json"))
	stopBerth(rt, id)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		return err
	}
	spec["root"] = map[string]any{"path": rootfs, "readonly": true}
	delete(spec["linux"].(map[string]any), "cgroupsPath")
	if b, err = json.Marshal(spec); err != nil {
		return err
	}
	if err := os.MkdirAll(r.bundle, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.bundle, "config.json"), b, 0o644)
}

func (r *runc) setArgs(args ...string) error {
	path := filepath.Join(r.bundle, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		return err
	}
	spec["process"].(map[string]any)["args"] = args
	b, err = json.Marshal(spec)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// run times one `runc run` of args, from its start to its exit.
func (r *runc) run(ctx context.Context, id string, args ...string) (time.Duration, error) {
	if err := r.setArgs(args...); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, r.path, "--root", r.root, "run", "--bundle", r.bundle, id)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("runc run: %w: %s", err, out.String())
	}
	return d, nil
}

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
	time.Sleep(100 * time.Millisecond) // as for runc: let every monitor settle into its wait
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
