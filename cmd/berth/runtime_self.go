//go:build !embedruntime

package main

// runtimeExe is nil in a build without the runtime binary (go build, go
// test, the linters): containers' processes then run from berth's own
// binary, which works, only with a slower start.
var runtimeExe []byte

func releaseRuntimeExe() {}
