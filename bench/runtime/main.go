// Command runtime benchmarks berth's container runtime against Debian's
// runc on the same busybox rootfs, in the same run: start-to-exit latency
// of /bin/true, and the resident memory of the process that monitors a
// running container (berth's shim; runc's foreground `runc run`).
//
// Run as root: go build -tags seccomp -o /tmp/rtbench ./bench/runtime && /tmp/rtbench
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
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
	exePath := flag.String("exe", "", "runtime binary the containers' processes run from, as berth's daemon embeds it (a static build of ./cmd/berth-runtime); empty: this binary")
	flag.Parse()
	// Interrupted, it still stops and removes what it started.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, *runs, *monitors, *runcPath, *exePath); err != nil {
		stop()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func bench(ctx context.Context, runs, monitors int, runcPath, exePath string) error {
	var exe []byte
	if exePath != "" {
		var err error
		if exe, err = os.ReadFile(exePath); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "berth-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	rootfs := filepath.Join(tmp, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return err
	}
	if err := runtimetest.BuildBusybox(rootfs); err != nil {
		return err
	}
	rt, err := libct.New(filepath.Join(tmp, "berth"), libct.Options{Exe: exe})
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
	var berthPhases, unconfinedPhases []phases
	for i := range runs {
		d, p, err := berthRun(ctx, rt, rootfs, fmt.Sprintf("true-%d", i), "")
		if err != nil {
			return err
		}
		berth, berthPhases = append(berth, d), append(berthPhases, p)
		if d, p, err = berthRun(ctx, rt, rootfs, fmt.Sprintf("trueu-%d", i), "unconfined"); err != nil {
			return err
		}
		berthUnconfined, unconfinedPhases = append(berthUnconfined, d), append(unconfinedPhases, p)
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
	reportPhases("berth", berthPhases)
	reportPhases("berth unconfined", unconfinedPhases)
	if monitors == 0 {
		return nil
	}
	return rss(ctx, rt, r, rootfs, monitors)
}

// berthRun times Create, Start, Wait and Remove of one /bin/true container:
// what `runc run` does from its start to its exit. It returns the whole
// and each of the four.
func berthRun(ctx context.Context, rt *libct.Runtime, rootfs, id, seccomp string) (time.Duration, phases, error) {
	cfg := &runtime.ContainerConfig{
		ID: id, LowerDirs: []string{rootfs}, Seccomp: seccomp,
		Process: runtime.Process{Args: []string{"/bin/true"}, Env: []string{"PATH=/bin"}, Cwd: "/"},
	}
	var p phases
	start := time.Now()
	mark := start
	lap := func(i int) {
		now := time.Now()
		p[i], mark = now.Sub(mark), now
	}
	if _, err := rt.Create(ctx, cfg); err != nil {
		return 0, p, err
	}
	lap(0)
	if err := rt.Start(ctx, id); err != nil {
		return 0, p, err
	}
	lap(1)
	st, err := rt.Wait(ctx, id)
	if err != nil {
		return 0, p, err
	}
	lap(2)
	if err := rt.Remove(ctx, id); err != nil {
		return 0, p, err
	}
	lap(3)
	d := time.Since(start)

	if st.Code != 0 {
		return 0, p, fmt.Errorf("berth: /bin/true exited %d", st.Code)
	}
	return d, p, nil
}

// phases are the times of Create, Start, Wait and Remove in one run.
type phases [4]time.Duration

// reportPhases prints the median of each phase over runs.
func reportPhases(name string, runs []phases) {
	fmt.Printf("  %-30s", name+" phases")
	for i, phase := range []string{"create", "start", "wait", "remove"} {
		ds := make([]time.Duration, len(runs))
		for j, p := range runs {
			ds[j] = p[i]
		}
		fmt.Printf(" %s %.2f", phase, ms(sorted(ds)[len(ds)/2]))
	}
	fmt.Println(" ms (medians)")
}

func report(name string, ds []time.Duration) {
	s := sorted(ds)
	fmt.Printf("  %-30s median %7.2f ms   min %7.2f ms\n", name, ms(s[len(s)/2]), ms(s[0]))
}

// sorted returns a sorted copy of ds.
func sorted(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
