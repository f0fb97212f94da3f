package shim

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// trimResident unmaps the pages of read-only file mappings (the binary's
// code and read-only data, the C libraries') that this process faulted in
// while starting. Initialising its binary's packages (the runtime's, or
// all of berth's when it runs from berth itself) touched much of the
// binary; the monitor loop needs a small part,
// which faults back in on use. The pages stay in the page cache, shared
// with every other berth process: only this process's resident set
// shrinks to what it really uses.
//
// MADV_DONTNEED on a private file mapping would throw away pages the
// process wrote (madvise(2)), so only mappings whose smaps show no
// anonymous (copied-on-write) pages are trimmed. MADV_RANDOM turns off the
// kernel's fault-around for them, so a fault maps one page, not 16.
func trimResident() {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	var start, end uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if s, e, ok := readOnlyFileMapping(line); ok {
			start, end = s, e
			continue
		}
		if v, ok := strings.CutPrefix(line, "Anonymous:"); ok && start != 0 {
			if strings.TrimSpace(v) == "0 kB" {
				advise(start, end)
			}
			start = 0
		}
	}
}

// readOnlyFileMapping parses an smaps header line naming a private,
// read-only mapping of a file.
func readOnlyFileMapping(line string) (uintptr, uintptr, bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || (fields[1] != "r--p" && fields[1] != "r-xp") || !strings.HasPrefix(fields[5], "/") {
		return 0, 0, false
	}
	from, to, ok := strings.Cut(fields[0], "-")
	if !ok {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(from, 16, 64)
	e, err2 := strconv.ParseUint(to, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

func advise(start, end uintptr) {
	for _, advice := range []uintptr{unix.MADV_RANDOM, unix.MADV_DONTNEED} {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, end-start, advice)
	}
}
