package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berth-dev/berth/api"
)

// attach follows the logs of a project brought up in the foreground until
// every container has exited or the user interrupts: the first Ctrl-C
// stops the containers gracefully, a second one kills them, as Docker
// Compose does.
func attach(ctx context.Context, streams Streams, client *api.Client, project string, services []string, timestamps bool) error {
	printer := newLogPrinter(streams.Out, project, false, false, timestamps)
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupts)

	follow, stopFollowing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFollowing()
	done := make(chan error, 1)
	go func() {
		done <- client.Logs(follow, &api.LogsRequest{ProjectName: project, Services: services, Follow: true, Tail: -1}, printer.line)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	case <-interrupts:
	}
	fmt.Fprintln(streams.Err, "Gracefully Stopping... press Ctrl+C again to force")
	render := newProgress("plain", streams.Err)
	stopped := make(chan error, 1)
	go func() {
		stopped <- client.Stop(context.WithoutCancel(ctx), &api.StopRequest{ProjectName: project, Services: services}, render.event)
	}()
	var err error
	select {
	case err = <-stopped:
	case <-interrupts:
		err = client.Stop(context.WithoutCancel(ctx), &api.StopRequest{ProjectName: project, Services: services, Kill: true}, render.event)
	}
	// The containers have exited: their last lines are still on the way.
	select {
	case logsErr := <-done:
		_ = logsErr // how the stream ended no longer matters: the stop's result does
	case <-time.After(2 * time.Second):
	}
	stopFollowing()
	if err != nil {
		return remoteExit(err)
	}
	return &ExitError{Code: 130}
}

// remoteExit turns the daemon's error into the CLI's exit code.
func remoteExit(err error) error {
	var remote *api.RemoteError
	if errors.As(err, &remote) && remote.Code > 1 {
		return &ExitError{Code: remote.Code, Message: remote.Message}
	}
	return err
}
