package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writer and reader share a named volume; reader also gets a secret and a
// read-only bind mount of the project's conf directory.
const sharing = `name: vols
services:
  writer:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "date +%s%N > /shared/stamp; echo written; exec sleep 1000"]
    volumes: [shared:/shared]
  reader:
    image: REGISTRY/busybox:latest
    depends_on: [writer]
    command: ["sh", "-c", "while [ ! -s /shared/stamp ]; do sleep 0.1; done; echo read $$(cat /shared/stamp); cat /run/secrets/token; ls -ln /run/secrets/token; touch /conf/x 2>&1 || echo conf-is-read-only; cat /conf/app.conf; exec sleep 1000"]
    volumes:
      - shared:/shared
      - ./conf:/conf:ro
    secrets:
      - source: token
        mode: 0400
  borrower:
    image: REGISTRY/busybox:latest
    volumes_from: ["writer:ro"]
    command: ["sh", "-c", "while [ ! -s /shared/stamp ]; do sleep 0.1; done; echo borrowed $$(cat /shared/stamp); touch /shared/x 2>/dev/null || echo borrowed-read-only; exec sleep 1000"]
volumes:
  shared: {}
secrets:
  token:
    file: ./token.txt
`

func TestVolumesSecretsAndBinds(t *testing.T) {
	s := newStack(t, sharing)
	s.write("token.txt", "s3cret\n")
	if err := os.Mkdir(filepath.Join(s.dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.write("conf/app.conf", "answer=42\n")
	s.mustBerth("up", "-d")
	var logs string
	s.eventually(15*time.Second, "reader reports", func() bool {
		logs = s.mustBerth("logs", "--no-log-prefix", "reader")
		return strings.Contains(logs, "answer=42")
	})
	mustContain(t, logs, "read ", "s3cret\n", "-r--------", "conf-is-read-only\n")
	stamp := strings.Fields(logs[strings.Index(logs, "read "):])[1]
	s.eventually(15*time.Second, "borrower sees writer's volume, read-only", func() bool {
		out := s.mustBerth("logs", "--no-log-prefix", "borrower")
		return strings.Contains(out, "borrowed "+stamp) && strings.Contains(out, "borrowed-read-only")
	})

	// The data outlives the containers: down, then up, and writer finds
	// the volume as it was before writing again.
	s.mustBerth("down", "-t", "1")
	s.write("compose.yaml", strings.ReplaceAll(strings.ReplaceAll(sharing, "REGISTRY", s.registry),
		"date +%s%N > /shared/stamp; echo written", "echo kept $$(cat /shared/stamp)"))
	s.mustBerth("up", "-d")
	s.eventually(15*time.Second, "writer reports the old stamp", func() bool {
		return strings.Contains(s.mustBerth("logs", "--no-log-prefix", "writer"), "kept "+stamp)
	})

	// down -v removes the volume.
	s.mustBerth("down", "-v", "-t", "1")
	if out := s.mustBerth("volume", "ls", "-q"); strings.Contains(out, "vols_shared") {
		t.Errorf("volume left after down -v:\n%s", out)
	}
}

func TestBadBindSourceFailsCleanly(t *testing.T) {
	s := newStack(t, `name: badbind
services:
  app:
    image: REGISTRY/busybox:latest
    command: ["sleep", "1000"]
    volumes:
      - type: bind
        source: ./missing
        target: /data
        bind:
          create_host_path: false
`)
	up := s.berth("up", "-d")
	if up.exit == 0 {
		t.Fatal("up succeeded with a missing bind source")
	}
	mustContain(t, up.stderr, "app", "missing")
	if rows := s.containers(); len(rows) != 0 {
		t.Errorf("containers left: %v", rows)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "missing")); err == nil {
		t.Error("the missing bind source was created")
	}
}

// keeper counts its runs in an anonymous volume.
const keeper = `name: anon
services:
  keeper:
    image: REGISTRY/busybox:latest
    volumes: [/data]
    command: ["sh", "-c", "echo run >> /data/runs; echo runs=$$(wc -l < /data/runs); exec sleep 1000"]
`

// TestAnonymousVolumeFollowsRecreateUnlessRenewed: a recreated container
// takes over its predecessor's anonymous volume; up -V gives it a new one.
func TestAnonymousVolumeFollowsRecreateUnlessRenewed(t *testing.T) {
	s := newStack(t, keeper)
	runs := func() string {
		var line string
		s.eventually(10*time.Second, "keeper reports", func() bool {
			out := s.mustBerth("logs", "--no-log-prefix", "keeper")
			line = strings.TrimSpace(out)
			return line != ""
		})
		return line
	}
	s.mustBerth("up", "-d")
	if got := runs(); got != "runs=1" {
		t.Fatalf("first run: %q", got)
	}
	s.mustBerth("up", "-d", "--force-recreate", "-t", "1")
	if got := runs(); got != "runs=2" {
		t.Errorf("after a recreate: %q, want runs=2 (the same anonymous volume)", got)
	}
	s.mustBerth("up", "-d", "-V", "-t", "1")
	if got := runs(); got != "runs=1" {
		t.Errorf("after up -V: %q, want runs=1 (a new anonymous volume)", got)
	}
}
