package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/berth-dev/berth/api"
)

// attachOptions are the choices of a foreground `up`.
type attachOptions struct {
	timestamps bool
	// abortOnExit stops the stack when a container exits; abortOnFailure
	// only when one exits non-zero (--abort-on-container-exit,
	// --abort-on-container-failure).
	abortOnExit, abortOnFailure bool
	exitCodeFrom                string   // the exit code of this service's container is up's
	attach, noAttach            []string // whose output is shown; all when attach is empty
}

// attach follows the logs of a project brought up in the foreground until
// every container has exited, one exits and an abort option says to stop,
// or the user interrupts: the first Ctrl-C stops the containers gracefully,
// a second one kills them, as Docker Compose does.
func attach(ctx context.Context, streams Streams, client *api.Client, project string, opts attachOptions) error {
	printer := newLogPrinter(streams.Out, project, false, false, opts.timestamps)
	if list, err := client.Ps(ctx, project, true); err == nil {
		for _, c := range list {
			printer.register(c.Name)
		}
	}
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupts)

	follow, stopFollowing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFollowing()
	abort := make(chan struct{})
	var abortOnce sync.Once
	exitCode := 0
	done := make(chan error, 1)
	go func() {
		done <- client.Logs(follow, &api.LogsRequest{ProjectName: project, Follow: true, Tail: -1}, func(l api.LogLine) error {
			if !l.Exited {
				if opts.shows(l.Service) {
					return printer.line(l)
				}
				return nil
			}
			printer.status(l.Container, fmt.Sprintf("exited with code %d", l.ExitCode))
			if opts.exitCodeFrom == l.Service || (opts.exitCodeFrom == "" && opts.stopsOn(l.ExitCode)) {
				abortOnce.Do(func() { exitCode = l.ExitCode; close(abort) })
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		return err
	case <-abort:
		fmt.Fprintln(streams.Err, "Aborting on container exit...")
		err := stopAll(ctx, streams, client, project, false)
		waitForLogs(done, stopFollowing)
		if err != nil {
			return remoteExit(err)
		}
		if exitCode != 0 {
			return &ExitError{Code: exitCode}
		}
		return nil
	case <-ctx.Done():
	case <-interrupts:
	}
	fmt.Fprintln(streams.Err, "Gracefully Stopping... press Ctrl+C again to force")
	stopped := make(chan error, 1)
	go func() { stopped <- stopAll(ctx, streams, client, project, false) }()
	var err error
	select {
	case err = <-stopped:
	case <-interrupts:
		err = stopAll(ctx, streams, client, project, true)
	}
	waitForLogs(done, stopFollowing)
	if err != nil {
		return remoteExit(err)
	}
	return &ExitError{Code: 130}
}

func stopAll(ctx context.Context, streams Streams, client *api.Client, project string, kill bool) error {
	render := newProgress("plain", streams.Err)
	return client.Stop(context.WithoutCancel(ctx), &api.StopRequest{ProjectName: project, Kill: kill}, render.event)
}

// waitForLogs lets the last lines of stopped containers arrive, then ends
// the follow.
func waitForLogs(done <-chan error, stopFollowing func()) {
	select {
	case logsErr := <-done:
		_ = logsErr // how the stream ended no longer matters: the stop's result does
	case <-time.After(2 * time.Second):
	}
	stopFollowing()
}

func (o attachOptions) shows(service string) bool {
	if slices.Contains(o.noAttach, service) {
		return false
	}
	return len(o.attach) == 0 || slices.Contains(o.attach, service)
}

func (o attachOptions) stopsOn(code int) bool {
	return o.abortOnExit || (o.abortOnFailure && code != 0)
}
