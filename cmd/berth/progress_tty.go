package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/api"
)

// ttyView is the live form of the progress stream on a terminal, as
// Docker Compose draws it: a header counting what is done, then one line
// per resource with its latest status and how long it took, redrawn in
// place at each event.
type ttyView struct {
	out     io.Writer
	title   string
	order   []string
	lines   map[string]*ttyLine
	drawn   int // lines drawn last time, to move back over
	notices []string
}

type ttyLine struct {
	status, text string
	started      time.Time
	took         time.Duration
	done, failed bool
}

// Statuses that end a resource's line.
var finalStatuses = map[string]bool{"Created": true, "Started": true, "Healthy": true, "Exited": true,
	"Stopped": true, "Removed": true, "Pulled": true, "Running": true, "Error": true}

func newTTYView(out io.Writer) *ttyView {
	return &ttyView{out: out, title: "Running", lines: map[string]*ttyLine{}}
}

func (v *ttyView) event(e api.Event) {
	if e.Resource == "" {
		v.notices = append(v.notices, e.Text)
		v.draw()
		return
	}
	l, ok := v.lines[e.Resource]
	if !ok {
		l = &ttyLine{started: time.Now()}
		v.lines[e.Resource] = l
		v.order = append(v.order, e.Resource)
	}
	l.status, l.text = e.Status, e.Text
	l.done, l.failed = finalStatuses[e.Status], e.Level == "error"
	if l.done {
		l.took = time.Since(l.started)
	}
	v.draw()
}

func (v *ttyView) draw() {
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn)
	}
	done := 0
	for _, r := range v.order {
		if v.lines[r].done {
			done++
		}
	}
	fmt.Fprintf(&b, "\x1b[2K[+] %s %d/%d\n", v.title, done, len(v.order))
	width := 0
	for _, r := range v.order {
		width = max(width, len(r))
	}
	for _, r := range v.order {
		l := v.lines[r]
		mark, took := "⠿", time.Since(l.started)
		switch {
		case l.failed:
			mark = "✘"
		case l.done:
			mark, took = "✔", l.took
		}
		fmt.Fprintf(&b, "\x1b[2K %s %-*s  %-9s %s%6.1fs\n", mark, width, r, l.status, l.text, took.Seconds())
	}
	for _, n := range v.notices {
		fmt.Fprintf(&b, "\x1b[2K%s\n", n)
	}
	v.drawn = 1 + len(v.order) + len(v.notices)
	_, _ = io.WriteString(v.out, b.String()) // a terminal that went away leaves nothing to tell
}
