package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/berth-dev/berth/api"
)

// logPrinter prints container output as Docker Compose does: each line
// behind a "<service>-<n>  | " prefix padded to the widest, coloured per
// container on a terminal.
type logPrinter struct {
	out        io.Writer
	project    string
	color      bool
	prefix     bool
	timestamps bool
	mu         sync.Mutex
	width      int
	colors     map[string]string
}

// Docker Compose's rotation of prefix colours.
var prefixColors = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

func newLogPrinter(out io.Writer, project string, noColor, noPrefix, timestamps bool) *logPrinter {
	color := !noColor && isTerminal(out) && os.Getenv("NO_COLOR") == ""
	return &logPrinter{out: out, project: project, color: color, prefix: !noPrefix, timestamps: timestamps, colors: map[string]string{}}
}

func (p *logPrinter) line(l api.LogLine) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := l.Line
	if p.timestamps {
		text = l.Time + " " + text
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if !p.prefix {
		_, err := io.WriteString(p.out, text)
		return err
	}
	_, err := fmt.Fprintf(p.out, "%s%s", p.prefixOf(l.Container), text)
	return err
}

// prefixOf is "web-1  | " for container demo-web-1: the project's name is
// left out, as Docker Compose does.
func (p *logPrinter) prefixOf(container string) string {
	name := strings.TrimPrefix(container, p.project+"-")
	if len(name) > p.width {
		p.width = len(name)
	}
	prefix := fmt.Sprintf("%-*s  | ", p.width, name)
	if !p.color {
		return prefix
	}
	c, ok := p.colors[name]
	if !ok {
		c = prefixColors[len(p.colors)%len(prefixColors)]
		p.colors[name] = c
	}
	return "\x1b[" + c + "m" + prefix + "\x1b[0m"
}

// register widens the prefix for every container name given: Docker
// Compose pads every prefix to the widest name of the containers it
// attaches to from the first line on.
func (p *logPrinter) register(containers ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range containers {
		if name := strings.TrimPrefix(c, p.project+"-"); len(name) > p.width {
			p.width = len(name)
		}
	}
}

// status prints a line about a container itself, as Docker Compose's
// "web-1 exited with code 0".
func (p *logPrinter) status(container, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "%s %s\n", strings.TrimPrefix(container, p.project+"-"), msg)
}
