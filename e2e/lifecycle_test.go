package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// webAndDB: web fetches a page from db by service name when it starts and
// serves both on a published port.
const webAndDB = `name: demo
services:
  web:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo web-says-hi > /www/index.html && wget -qO- http://db:9000/ >> /www/index.html; exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1:18080:8080"]
    environment: [MODE=one]
    depends_on: [db]
  db:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "mkdir -p /d && echo db-says-hi > /d/index.html && exec httpd -f -p 9000 -h /d"]
`

func TestUpServesByNameAndPublishedPort(t *testing.T) {
	s := newStack(t, webAndDB)
	up := s.berth("up", "-d")
	if up.exit != 0 {
		t.Fatalf("up: exit %d\n%s", up.exit, up.stderr)
	}
	mustContain(t, up.stderr, " Container demo-db-1  Started", " Container demo-web-1  Started", " Network demo_default  Created")
	var body string
	s.eventually(10*time.Second, "web answers on 127.0.0.1:18080", func() bool {
		var ok bool
		body, ok = s.fetch("http://127.0.0.1:18080/")
		return ok
	})
	if body != "web-says-hi\ndb-says-hi\n" {
		t.Errorf("page %q: web did not reach db by name", body)
	}
	for _, name := range []string{"demo-web-1", "demo-db-1"} {
		if c := s.container(name); c.State != "running" {
			t.Errorf("%s is %s", name, c.State)
		}
	}
	logs := s.mustBerth("logs", "--no-color")
	mustContain(t, s.mustBerth("ps"), "demo-web-1", "127.0.0.1:18080->8080/tcp")
	_ = logs
	// Every container's processes run from the slim runtime binary berth
	// embeds, and their inits share one compiled seccomp filter.
	shims, _ := filepath.Glob(filepath.Join(s.root, "runtime/containers/*/shim.pid"))
	for _, pidFile := range shims {
		pid, _ := os.ReadFile(pidFile)
		exe, _ := os.Readlink("/proc/" + strings.TrimSpace(string(pid)) + "/exe")
		if exe != "/memfd:berth-runtime (deleted)" {
			t.Errorf("shim %s runs %q, want the embedded runtime binary", strings.TrimSpace(string(pid)), exe)
		}
	}
	if len(shims) != 2 {
		t.Errorf("%d shims, want 2", len(shims))
	}
	// Each compiled program is kept with the record of the calls it was
	// compiled from (<name>.rec).
	if entries, _ := os.ReadDir(filepath.Join(s.root, "runtime/seccomp")); len(entries) != 2 || entries[0].Name()+".rec" != entries[1].Name() {
		t.Errorf("seccomp cache holds %v, want the one filter both containers share and its record", entries)
	}
}

func TestDownLeavesNothing(t *testing.T) {
	s := newStack(t, webAndDB)
	s.mustBerth("up", "-d")
	s.mustBerth("down", "-t", "1")
	if rows := s.containers(); len(rows) != 0 {
		t.Errorf("containers left: %v", rows)
	}
	if links := s.exec("ip", "-o", "link", "show"); strings.Count(links, "\n") != 1 {
		t.Errorf("interfaces left in the namespace:\n%s", links)
	}
	if rules := s.exec("/usr/sbin/nft", "list", "ruleset"); strings.TrimSpace(rules) != "" {
		t.Errorf("nftables rules left:\n%s", rules)
	}
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mounts), s.root) {
		t.Errorf("mounts left under %s", s.root)
	}
	for _, dir := range []string{"runtime/containers", "engine/containers"} {
		entries, _ := os.ReadDir(filepath.Join(s.root, dir))
		if len(entries) != 0 {
			t.Errorf("%s not empty: %d entries", dir, len(entries))
		}
	}
}

func TestEditRecreatesOnlyTheChangedService(t *testing.T) {
	s := newStack(t, webAndDB)
	s.mustBerth("up", "-d")
	before := map[string]string{}
	for _, c := range s.containers() {
		before[c.Name] = c.ID
	}
	s.write("compose.yaml", strings.ReplaceAll(strings.ReplaceAll(webAndDB, "REGISTRY", s.registry), "MODE=one", "MODE=two"))
	up := s.berth("up", "-d")
	if up.exit != 0 {
		t.Fatalf("second up: %s", up.stderr)
	}
	after := map[string]string{}
	for _, c := range s.containers() {
		after[c.Name] = c.ID
	}
	if after["demo-db-1"] != before["demo-db-1"] {
		t.Error("db was recreated though it did not change")
	}
	if after["demo-web-1"] == before["demo-web-1"] || after["demo-web-1"] == "" {
		t.Error("web was not recreated though its environment changed")
	}
	// A third up with nothing changed touches nothing.
	s.mustBerth("up", "-d")
	for _, c := range s.containers() {
		if c.ID != after[c.Name] {
			t.Errorf("%s recreated by an up that changed nothing", c.Name)
		}
	}
}

// The api service becomes healthy only once a file exists; web depends on
// it being healthy and, at start, fetches what only a healthy api serves.
const healthGated = `name: gated
services:
  web:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "wget -qO- http://api:9000/ready.txt; exec sleep 1000"]
    depends_on:
      api:
        condition: service_healthy
  api:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "mkdir -p /srv && sleep 2 && echo api-ready > /srv/ready.txt; exec httpd -f -p 9000 -h /srv"]
    healthcheck:
      test: ["CMD", "test", "-f", "/srv/ready.txt"]
      interval: 1s
      start_interval: 200ms
      start_period: 10s
      retries: 20
`

func TestHealthGatedStartOrder(t *testing.T) {
	s := newStack(t, healthGated)
	up := s.berth("up", "-d")
	if up.exit != 0 {
		t.Fatalf("up: %s", up.stderr)
	}
	mustContain(t, up.stderr, "Service api  Healthy")
	if i, j := strings.Index(up.stderr, "Service api  Healthy"), strings.Index(up.stderr, "Container gated-web-1  Starting"); j < i {
		t.Errorf("web started before api was healthy:\n%s", up.stderr)
	}
	s.eventually(10*time.Second, "web logs what healthy api serves", func() bool {
		return strings.Contains(s.mustBerth("logs", "web"), "api-ready")
	})
	if h := s.container("gated-api-1").Health; h != "healthy" {
		t.Errorf("api health %q", h)
	}
}

func TestDaemonKilledStackKeepsServingAndIsReadopted(t *testing.T) {
	s := newStack(t, webAndDB)
	s.mustBerth("up", "-d")
	s.eventually(10*time.Second, "web answers", func() bool { _, ok := s.fetch("http://127.0.0.1:18080/"); return ok })
	pid := s.killDaemon()
	if _, ok := s.fetch("http://127.0.0.1:18080/"); !ok {
		t.Error("the stack stopped serving when the daemon died")
	}
	// The next command starts a new daemon, which finds everything again.
	for _, c := range s.containers() {
		if c.State != "running" {
			t.Errorf("%s is %s after the daemon restarted", c.Name, c.State)
		}
	}
	if s.daemonPid() == pid {
		t.Error("no new daemon")
	}
	s.mustBerth("down", "-t", "1")
	if rows := s.containers(); len(rows) != 0 {
		t.Errorf("down after re-adoption left %v", rows)
	}
}

func TestTakenPortFailsBeforeAnyContainerStarts(t *testing.T) {
	s := newStack(t, webAndDB)
	l := s.listenInNetns("tcp", "127.0.0.1:18080")
	defer l.Close()
	up := s.berth("up", "-d")
	if up.exit == 0 {
		t.Fatal("up succeeded on a taken port")
	}
	mustContain(t, up.stderr, "18080", "web")
	if rows := s.containers(); len(rows) != 0 {
		t.Errorf("containers left after the failed up: %v", rows)
	}
}

// flaky crashes twice (it counts its runs in a volume), then stays up.
const crashing = `name: crashy
services:
  flaky:
    image: REGISTRY/busybox:latest
    restart: on-failure
    volumes: [state:/state]
    command: ["sh", "-c", "echo run >> /state/runs; n=$$(wc -l < /state/runs); echo run $$n; [ $$n -ge 3 ] && exec sleep 1000; exit 3"]
volumes:
  state: {}
`

func TestCrashingServiceIsRestartedByPolicy(t *testing.T) {
	s := newStack(t, crashing)
	s.mustBerth("up", "-d")
	s.eventually(20*time.Second, "flaky runs a third time and stays up", func() bool {
		c := s.container("crashy-flaky-1")
		return c.State == "running" && strings.Contains(s.mustBerth("logs", "flaky"), "run 3")
	})
	logs := s.mustBerth("logs", "--no-log-prefix", "flaky")
	if strings.Count(logs, "run ") != 3 {
		t.Errorf("want three runs in the logs of the one container, got:\n%s", logs)
	}
}

func TestStopThenUpStartsTheSameContainers(t *testing.T) {
	s := newStack(t, webAndDB)
	s.mustBerth("up", "-d")
	ids := map[string]string{}
	for _, c := range s.containers() {
		ids[c.Name] = c.ID
	}
	s.mustBerth("stop", "-t", "1")
	for _, c := range s.containers() {
		if c.State != "exited" {
			t.Errorf("%s is %s after stop", c.Name, c.State)
		}
	}
	s.mustBerth("up", "-d")
	for _, c := range s.containers() {
		if c.ID != ids[c.Name] || c.State != "running" {
			t.Errorf("%s: id %s state %s; want the same container running", c.Name, c.ID, c.State)
		}
	}
	s.eventually(10*time.Second, "web answers again", func() bool { _, ok := s.fetch("http://127.0.0.1:18080/"); return ok })
}

// Two replicas of web answer under one name; a client lists both.
const replicas = `name: reps
services:
  web:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    scale: 2
  client:
    image: REGISTRY/busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "sleep 1; nslookup web; exec sleep 1000"]
`

func TestReplicasShareTheServiceName(t *testing.T) {
	s := newStack(t, replicas)
	s.mustBerth("up", "-d")
	names := map[string]bool{}
	for _, c := range s.containers() {
		names[c.Name] = c.State == "running"
	}
	if !names["reps-web-1"] || !names["reps-web-2"] {
		t.Fatalf("want reps-web-1 and reps-web-2 running, got %v", names)
	}
	var out string
	s.eventually(15*time.Second, "client resolves web", func() bool {
		out = s.mustBerth("logs", "--no-log-prefix", "client")
		return strings.Count(out, "Address: 172.") >= 2 || strings.Count(out, "Address: 192.") >= 2
	})
	s.mustBerth("up", "-d", "--scale", "web=1", "-t", "1")
	for _, c := range s.containers() {
		if c.Name == "reps-web-2" {
			t.Error("reps-web-2 left after scaling down to 1")
		}
	}
}

func TestWaitTimesOutNamingTheUnhealthyService(t *testing.T) {
	s := newStack(t, `name: sick
services:
  sick:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 200ms
      retries: 100
`)
	r := s.berth("up", "-d", "--wait", "--wait-timeout", "3")
	if r.exit == 0 {
		t.Fatal("up --wait succeeded with a service that is never healthy")
	}
	mustContain(t, r.stderr, "sick")
}

// TestInitRunsAReapingPID1: with init: true the service's command is not
// PID 1; berth's init is, and it passes the stop signal on.
func TestInitRunsAReapingPID1(t *testing.T) {
	s := newStack(t, `name: withinit
services:
  app:
    image: REGISTRY/busybox:latest
    init: true
    command: ["sh", "-c", "echo pid1=$$(cat /proc/1/comm) me=$$$$; trap 'echo bye; exit 0' TERM; while true; do sleep 0.2; done"]
`)
	s.mustBerth("up", "-d")
	var logs string
	s.eventually(10*time.Second, "app reports", func() bool {
		logs = s.mustBerth("logs", "--no-log-prefix", "app")
		return strings.Contains(logs, "pid1=")
	})
	t.Log(strings.TrimSpace(logs))
	if strings.Contains(logs, "pid1=sh") || strings.Contains(logs, "me=1 ") || strings.HasSuffix(strings.TrimSpace(logs), "me=1") {
		t.Errorf("the command runs as PID 1: %q", logs)
	}
	s.mustBerth("stop", "-t", "5")
	s.eventually(10*time.Second, "app saw the stop signal", func() bool {
		return strings.Contains(s.mustBerth("logs", "--no-log-prefix", "app"), "bye")
	})
}

// bounded fails every run; on-failure:2 allows two restarts in all.
const bounded = `name: bounded
services:
  failing:
    image: REGISTRY/busybox:latest
    restart: on-failure:2
    command: ["sh", "-c", "echo run; sleep 2; exit 3"]
`

// TestRestartCountSurvivesDaemonKill: the restarts a policy made count on
// after the daemon is killed and started again, so on-failure:2 still
// stops after the second restart (three runs), not two restarts later.
func TestRestartCountSurvivesDaemonKill(t *testing.T) {
	s := newStack(t, bounded)
	s.mustBerth("up", "-d")
	runs := func() int { return strings.Count(s.mustBerth("logs", "--no-log-prefix", "failing"), "run\n") }
	s.eventually(15*time.Second, "a first restart", func() bool { return runs() >= 2 })
	s.killDaemon()
	s.eventually(20*time.Second, "the last allowed run ends", func() bool {
		return runs() == 3 && s.container("bounded-failing-1").State == "exited"
	})
	// Longer than a run and the backoff: a daemon that forgot its count
	// would have started a fourth run by then.
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		if n := runs(); n != 3 {
			t.Fatalf("%d runs, want 3: the restart count was lost with the daemon", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestExitWhileNoDaemonRanIsRestartedByTheNext: a container with restart:
// always whose process ends while no daemon runs is started again by the
// next daemon, as Docker's daemon does when it starts.
func TestExitWhileNoDaemonRanIsRestartedByTheNext(t *testing.T) {
	s := newStack(t, `name: always
services:
  svc:
    image: REGISTRY/busybox:latest
    restart: always
    command: ["sh", "-c", "echo run; exec sleep 1000"]
`)
	s.mustBerth("up", "-d")
	s.killDaemon()
	inits, _ := filepath.Glob(filepath.Join(s.root, "runtime/containers/*/init.pid"))
	if len(inits) != 1 {
		t.Fatalf("%d containers, want 1", len(inits))
	}
	b, _ := os.ReadFile(inits[0])
	initPid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(initPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.eventually(5*time.Second, "its process gone", func() bool { return syscall.Kill(initPid, 0) != nil })
	// Any command starts a daemon, which finds the exit.
	s.eventually(15*time.Second, "running again, a second run", func() bool {
		return s.container("always-svc-1").State == "running" &&
			strings.Count(s.mustBerth("logs", "--no-log-prefix", "svc"), "run\n") == 2
	})
}

// TestFirstLookupAtStartResolves: a process that looks a peer up the
// moment it starts gets an answer: the DNS server scopes answers by the
// asking container's networks, so the container's own names must be in
// place before its process runs, not after.
func TestFirstLookupAtStartResolves(t *testing.T) {
	s := newStack(t, `name: early
services:
  srv:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
  probe:
    image: REGISTRY/busybox:latest
    scale: 4
    depends_on: [srv]
    command: ["sh", "-c", "if nslookup srv >/dev/null 2>&1; then echo resolved; else echo failed; fi; trap 'exit 0' TERM; sleep 1000 & wait"]
`)
	s.mustBerth("up", "-d")
	var logs string
	s.eventually(15*time.Second, "every probe reports", func() bool {
		logs = s.mustBerth("logs", "--no-log-prefix", "probe")
		return strings.Count(logs, "resolved")+strings.Count(logs, "failed") == 4
	})
	if n := strings.Count(logs, "resolved"); n != 4 {
		t.Errorf("%d of 4 first lookups resolved:\n%s", n, logs)
	}
}
