package api

import (
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/internal/corpus"
	"github.com/berth-dev/berth/project"
)

// TestWireKeepsEveryService sends every valid corpus project across the
// wire and checks that each service comes back with the same config hash:
// the hash covers the whole service, so any loss would show.
func TestWireKeepsEveryService(t *testing.T) {
	checked := 0
	for _, c := range corpus.ForTest(t) {
		if c.WantExit != 0 {
			continue
		}
		opts := project.Options{Environ: append(corpus.Environ(), "PWD="+c.Dir)}
		for i := 0; i+1 < len(c.Args); i += 2 {
			opts.Files = append(opts.Files, filepath.Join(c.Dir, c.Args[i+1]))
		}
		p, err := project.Load(t.Context(), opts)
		if err != nil {
			continue // needs what this test does not set up (e.g. env files)
		}
		t.Run(c.Name, func(t *testing.T) { checkWire(t, p) })
		checked++
	}
	if checked < 150 {
		t.Fatalf("only %d corpus projects checked", checked)
	}
}

func checkWire(t *testing.T, p *types.Project) {
	wire, err := FromProject(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := wire.ToProject(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range back.Services {
		got, err := project.ServiceHash(s)
		if err != nil {
			t.Fatal(err)
		}
		if got != wire.Hashes[name] {
			t.Errorf("service %s changed on the wire", name)
		}
	}
	if len(back.Services) != len(p.Services) {
		t.Errorf("%d services came back of %d", len(back.Services), len(p.Services))
	}
}
