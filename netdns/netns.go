package netdns

import (
	"fmt"
	"os"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// inNetNS runs fn on an OS thread that has joined the network namespace at
// path ("" runs fn where the caller is). Sockets, netlink handles, sysctl
// files under /proc/sys/net and child processes made by fn belong to that
// namespace: setns(2) changes the calling thread only.
//
// The thread is never handed back to the Go scheduler: the goroutine exits
// while still locked, so the runtime ends the thread instead of reusing it in
// the wrong namespace (see runtime.LockOSThread).
func inNetNS(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open network namespace: %w", err)
	}
	defer f.Close()
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("join network namespace %s: %w", path, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// writeSysctl sets a sysctl under /proc/sys, e.g. "net/ipv4/ip_forward".
// Under net/ it applies to the namespace of the calling thread (proc(5)).
func writeSysctl(key, value string) error {
	if err := os.WriteFile("/proc/sys/"+key, []byte(value), 0o644); err != nil {
		return fmt.Errorf("set sysctl %s=%s: %w", key, value, err)
	}
	return nil
}
