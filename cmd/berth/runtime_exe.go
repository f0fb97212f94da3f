//go:build embedruntime

package main

import _ "embed" // the runtime binary travels inside berth

// runtimeExe is a build of cmd/berth-runtime that scripts/build.sh places
// beside this file before building berth with the embedruntime tag. The
// daemon runs every container's shim, create helper and init from it.
//
//go:embed berth-runtime
var runtimeExe []byte
