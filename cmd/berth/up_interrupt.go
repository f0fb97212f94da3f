package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berth-dev/berth/api"
)

// runUp sends req and follows its progress until the daemon is done. A
// first Ctrl-C asks the daemon to cancel the up: it undoes what this up
// made while its progress still shows, and up exits 130, as Docker
// Compose does on an interrupt, once the host is consistent again. A
// second Ctrl-C stops waiting for that (the daemon goes on undoing).
func runUp(ctx context.Context, client *api.Client, req *api.UpRequest, onEvent func(api.Event)) error {
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupts)
	if ctx.Err() != nil { // interrupted before the request went out
		return &ExitError{Code: 130}
	}
	req.Operation = operationID()
	// main's ctx ends at the first Ctrl-C; the request must outlive it.
	upCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	done := make(chan error, 1)
	go func() { done <- client.Up(upCtx, req, onEvent) }()
	interrupted := false
	for {
		select {
		case err := <-done:
			if interrupted {
				return &ExitError{Code: 130}
			}
			return remoteExit(err)
		case <-interrupts:
			if interrupted {
				abandon()
				continue
			}
			interrupted = true
			go cancelUp(ctx, client, req.Operation)
		}
	}
}

// cancelUp asks the daemon to cancel operation op; should the daemon not
// answer, a second Ctrl-C still ends the wait.
func cancelUp(ctx context.Context, client *api.Client, op string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = client.Cancel(ctx, op)
}

func operationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
