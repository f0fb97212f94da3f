package libct

import (
	"os/signal"
	"syscall"
	"unsafe"
)

// defaultInheritedIgnores gives SIGHUP and SIGINT back their default
// action in libcontainer's init when it inherited them ignored (from a
// runtime started under nohup or as a shell's background job). An ignored
// signal stays ignored across execve(2), and Go's runtime leaves these two
// as it finds them while it catches every other (caught signals are reset
// at execve): without this, the container's process, or the one Exec
// runs, would ignore them, where Docker's starts with every signal at its
// default, and a stop_signal of SIGINT would not end a process that never
// handles it.
//
// An ignored signal has no Go handler to lose, so the raw rt_sigaction(2)
// is safe here.
func defaultInheritedIgnores() {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT} {
		if signal.Ignored(sig) {
			var act sigaction // zero: SIG_DFL, no flags, nothing masked
			_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
				uintptr(unsafe.Pointer(&act)), 0, unsafe.Sizeof(act.mask), 0, 0)
		}
	}
}

// sigaction is the kernel's struct sigaction on linux/amd64 and arm64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}
