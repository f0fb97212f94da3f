// Command berth-runtime is what every container's processes run from: its
// monitor (the shim, which creates it too), libcontainer's init and,
// with init: true, its reaping PID 1. It links the runtime and nothing
// else, so that these processes, several per container and all on its
// start path, skip the package initialisers and page faults of the whole
// CLI (compose-go's JSON-schema compilation alone is ~10 ms). berth embeds
// it (scripts/build.sh) and runs it from a sealed memfd; nobody runs it by
// hand.
package main

import (
	"fmt"
	"os"

	"github.com/berth-dev/berth/runtime/libct"
)

func main() {
	libct.Init() // runs the entry point named by argv and exits
	fmt.Fprintln(os.Stderr, "berth-runtime: started by berth for its containers, not by hand")
	os.Exit(2)
}
