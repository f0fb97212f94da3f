//go:build embedruntime

package main

import (
	_ "embed" // the runtime binary travels inside berth
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// runtimeExe is a build of cmd/berth-runtime that scripts/build.sh places
// beside this file before building berth with the embedruntime tag. The
// daemon runs every container's shim and init from it.
//
//go:embed berth-runtime
var runtimeExe []byte

// releaseRuntimeExe gives back the pages of runtimeExe that copying it
// into the runtime's memfd faulted in (~10 MiB of the daemon's resident
// set). They belong to the binary's own file mapping and are never
// written, so MADV_DONTNEED only drops them: a later read would fault
// them in from the file again. Only the pages that runtimeExe fills
// whole are dropped; the edges share pages with other variables.
func releaseRuntimeExe() {
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(runtimeExe)))
	end := start + uintptr(len(runtimeExe))
	first, last := (start+page-1)&^(page-1), end&^(page-1)
	if last <= first {
		return
	}
	_ = unix.Madvise(runtimeExe[first-start:last-start], unix.MADV_DONTNEED)
}
