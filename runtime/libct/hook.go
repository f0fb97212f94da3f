package libct

import (
	"os"
	"path/filepath"

	"github.com/opencontainers/runc/libcontainer"

	"github.com/berth-dev/berth/runtime/shim"
)

// Init runs the process berth's binary was re-executed as, and exits; it
// returns at once in any other process. Call it first thing in main (and
// in TestMain of any test binary that starts containers), before flags,
// goroutines or listeners:
//
//	argv[1] "init"     libcontainer's init inside the new container
//	argv[0] berth-shim the per-container monitor (shim.Main), which creates
//	                   the container too
//	argv[0] berth-init the reaping PID 1 of a container run with init
func Init() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		defaultInheritedIgnores()
		openSeccompCache()
		libcontainer.Init() // never returns
	}
	shim.Main(createInShim)
	if filepath.Base(os.Args[0]) == initName {
		os.Exit(pid1Main(os.Args[1:]))
	}
}
