package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/berth-dev/berth/api"
)

// progress renders the daemon's event stream as --progress asks: plain
// lines (" Container demo-web-1  Started", Docker Compose's plain form),
// JSON lines, or nothing (quiet).
type progress struct {
	mode string // plain, json, quiet, tty
	out  io.Writer
	mu   sync.Mutex
	tty  *ttyView
}

// newProgress renders in mode; auto is tty on a terminal, plain elsewhere
// (CI logs).
func newProgress(mode string, out io.Writer) *progress {
	if mode == "auto" {
		mode = "plain"
		if isTerminal(out) {
			mode = "tty"
		}
	}
	p := &progress{mode: mode, out: out}
	if mode == "tty" {
		p.tty = newTTYView(out)
	}
	return p
}

func (p *progress) event(e api.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.mode {
	case "quiet":
		if e.Level == "warning" {
			fmt.Fprintf(p.out, "WARN[0000] %s\n", e.Text)
		}
	case "json":
		b, _ := json.Marshal(e)
		fmt.Fprintf(p.out, "%s\n", b)
	case "tty":
		if e.Level == "warning" {
			fmt.Fprintf(p.out, "WARN[0000] %s\n", e.Text)
			return
		}
		p.tty.event(e)
	default:
		p.plain(e)
	}
}

func (p *progress) plain(e api.Event) {
	switch {
	case e.Level == "warning":
		fmt.Fprintf(p.out, "WARN[0000] %s\n", e.Text)
	case e.Resource == "":
		fmt.Fprintln(p.out, e.Text)
	case e.Text != "":
		fmt.Fprintf(p.out, " %s  %s %s\n", e.Resource, e.Status, e.Text)
	default:
		fmt.Fprintf(p.out, " %s  %s\n", e.Resource, e.Status)
	}
}

// renderer is the progress view of a command: a dry run prints its plan on
// standard output as plain lines; otherwise mode on standard error.
func renderer(mode string, dryRun bool, streams Streams) *progress {
	if dryRun {
		return newProgress("plain", streams.Out)
	}
	return newProgress(mode, streams.Err)
}

// progressModes are the values of --progress, as Docker Compose's.
var progressModes = []string{"auto", "tty", "plain", "json", "quiet"}
