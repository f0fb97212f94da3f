//go:build !seccomp

package libct_test

// seccompBuilt: without the seccomp tag containers run unconfined.
const seccompBuilt = false
