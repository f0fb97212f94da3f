//go:build seccomp

package libct

/*
#cgo LDFLAGS: -Wl,--wrap=seccomp_init -Wl,--wrap=seccomp_reset -Wl,--wrap=seccomp_release
#cgo LDFLAGS: -Wl,--wrap=seccomp_merge -Wl,--wrap=seccomp_arch_add -Wl,--wrap=seccomp_arch_remove
#cgo LDFLAGS: -Wl,--wrap=seccomp_attr_set -Wl,--wrap=seccomp_syscall_priority
#cgo LDFLAGS: -Wl,--wrap=seccomp_rule_add_array -Wl,--wrap=seccomp_rule_add_exact_array
#cgo LDFLAGS: -Wl,--wrap=seccomp_rule_add -Wl,--wrap=seccomp_rule_add_exact
#cgo LDFLAGS: -Wl,--wrap=seccomp_export_bpf -Wl,--wrap=seccomp_export_pfc -Wl,--wrap=seccomp_load -lseccomp
#include <seccomp.h>
int __real_seccomp_export_bpf(const scmp_filter_ctx ctx, int fd);
void berth_seccomp_candidate(const unsigned char *buf, size_t len);
*/
import "C"

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/runtime/shim"
)

// The compiled-filter cache. libcontainer's init compiles the container's
// seccomp rules with libseccomp right before it runs the user's process;
// for Docker's default profile that is ~400 rules for three architectures,
// and generating the BPF program from them is the largest single cost of
// a container's start (about 30% of the CPU of an `up -d`). libcontainer
// takes rules, not a program, and no caller code runs in init at that
// point; but every init is this binary. So libseccomp's calls are wrapped
// at link time (seccomp_cache.c): the rules a filter is built from are
// recorded as they are added, and when init exports the program, one
// compiled before from the very same calls, by the same libseccomp on the
// same kernel, is read from the cache instead of generated again. A miss
// compiles as before and stores the result. The program loaded is byte for
// byte the one libseccomp would have generated.
//
// The cache is a directory of the runtime root, one file per distinct
// record (a container's profile depends on its capabilities, so a few
// files in all), named by the SHA-256 of everything that decides the
// program, and beside each the record itself (<name>.rec): a later init
// that makes the same calls skips libseccomp's work on its rules too
// (seccomp_cache.c). init finds it through its argv[0], which libcontainer
// copies from the shim's: the shim runs as <runtime root>/berth-shim.
// init opens it before libcontainer's setup, since the filter is compiled
// after pivot_root, where the host's files are out of reach; the
// descriptor is close-on-exec, so the container's process never has it.

// seccompCacheFd is the open cache directory in a container's init, -1
// elsewhere: only init caches.
var seccompCacheFd = -1

// openSeccompCache opens the cache of the runtime whose shim started this
// init. Without one (an init started by some other process), init
// compiles as usual.
func openSeccompCache() {
	if !filepath.IsAbs(os.Args[0]) || filepath.Base(os.Args[0]) != shim.Name {
		return
	}
	dir := filepath.Join(filepath.Dir(os.Args[0]), seccompCacheDir)
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	// The lowest free descriptor is safe: libcontainer's init dup3s only
	// onto 0-2, which exec.Cmd always fills, and its own descriptors are
	// open already. Moving it high would cost a grace period: a
	// descriptor past the table's first 64 slots makes the kernel grow the
	// table, and a table shared by threads (Go's, here) is grown behind a
	// synchronize_rcu() (expand_fdtable, fs/file.c), 6-16 ms on the
	// machines berth was measured on.
	seccompCacheFd = fd
	loadCandidates()
}

// recordSuffix names the file holding the record a program was compiled
// from.
const recordSuffix = ".rec"

// maxCandidates and maxRecord bound what init reads: a host has a few
// distinct profiles, and Docker's default makes a record of ~40 KiB.
const (
	maxCandidates = 32
	maxRecord     = 4 << 20
)

// loadCandidates hands seccomp_cache.c the records of programs in the
// cache. A record counts only if its name is the key of its own content
// under this libseccomp and kernel, and its program is there: a record
// from another libseccomp, another kernel, or cut short says nothing about
// the calls made here.
func loadCandidates() {
	fd, err := unix.Openat(seccompCacheFd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	dir := os.NewFile(uintptr(fd), seccompCacheDir)
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return
	}
	// Records of another kernel or libseccomp are read and refused too:
	// bound the reading, not only the keeping.
	n, read := 0, 0
	for _, name := range names {
		key, ok := strings.CutSuffix(name, recordSuffix)
		if !ok || n == maxCandidates || read >= maxCandidates*maxRecord/8 {
			continue
		}
		rec, ok := readCacheFile(name, maxRecord)
		read += len(rec)
		if !ok || seccompCacheKey(rec) != key || unix.Faccessat(seccompCacheFd, key, unix.R_OK, 0) != nil {
			continue
		}
		// C memory, never freed: init lives until it execs the user's process.
		C.berth_seccomp_candidate((*C.uchar)(C.CBytes(rec)), C.size_t(len(rec)))
		n++
	}
}

// exportMiss is seccomp_cache.c's EXPORT_MISS: the cache does not hold
// the program and the caller did not allow compiling it.
const exportMiss = 1

//export berthSeccompExport
func berthSeccompExport(ctx unsafe.Pointer, fd C.int, record *C.uchar, n C.size_t, mayCompile C.int) C.int {
	if record == nil || seccompCacheFd < 0 {
		if mayCompile == 0 {
			return exportMiss
		}
		return C.__real_seccomp_export_bpf(C.scmp_filter_ctx(ctx), fd)
	}
	rec := C.GoBytes(unsafe.Pointer(record), C.int(n))
	key := seccompCacheKey(rec)
	prog, ok := loadCachedProgram(key)
	if !ok {
		if mayCompile == 0 {
			return exportMiss
		}
		var rc C.int
		if prog, rc = compileProgram(ctx); rc != 0 {
			return rc
		}
		if len(prog) > maxProgram {
			// More than the kernel takes: libseccomp's own export, whole and
			// uncached, so that the kernel is the one to refuse it.
			return C.__real_seccomp_export_bpf(C.scmp_filter_ctx(ctx), fd)
		}
		storeCacheFile(key, prog, maxProgram)
		storeCacheFile(key+recordSuffix, rec, maxRecord)
	} else if unix.Faccessat(seccompCacheFd, key+recordSuffix, unix.F_OK, 0) != nil {
		// A program cached before records were kept: keep its record now,
		// so that later inits skip the rule work too.
		storeCacheFile(key+recordSuffix, rec, maxRecord)
	}
	if err := writeFull(int(fd), prog); err != nil {
		return -C.int(unix.ECANCELED) // what libseccomp returns when a write fails
	}
	return 0
}

// seccompCacheKey names the program that libseccomp generates from a
// record: the record itself, libseccomp's version and the kernel's
// release (libseccomp asks the kernel what it supports).
func seccompCacheKey(record []byte) string {
	h := sha256.New()
	v := C.seccomp_version()
	fmt.Fprintf(h, "berth seccomp cache 1\x00libseccomp %d.%d.%d\x00", v.major, v.minor, v.micro)
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		h.Write(u.Release[:])
		h.Write(u.Machine[:])
	}
	h.Write(record)
	return hex.EncodeToString(h.Sum(nil))
}

// compileProgram has libseccomp generate the program, into a memfd.
func compileProgram(ctx unsafe.Pointer) ([]byte, C.int) {
	mfd, err := unix.MemfdCreate("seccomp-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, -C.int(unix.ECANCELED)
	}
	f := os.NewFile(uintptr(mfd), "seccomp-bpf")
	defer f.Close()
	if rc := C.__real_seccomp_export_bpf(C.scmp_filter_ctx(ctx), C.int(mfd)); rc != 0 {
		return nil, rc
	}
	prog, err := io.ReadAll(io.NewSectionReader(f, 0, maxProgram+8))
	if err != nil {
		return nil, -C.int(unix.ECANCELED)
	}
	return prog, 0
}

// maxProgram bounds what is read: the kernel takes at most BPF_MAXINSNS
// (4096) instructions of 8 bytes; a larger export is never cached.
const maxProgram = 4096 * 8

func loadCachedProgram(key string) ([]byte, bool) {
	prog, ok := readCacheFile(key, maxProgram)
	if !ok || len(prog)%8 != 0 {
		return nil, false
	}
	return prog, true
}

// readCacheFile reads a file of the cache, which must be neither empty nor
// larger than limit.
func readCacheFile(name string, limit int) ([]byte, bool) {
	// Non-blocking: a fifo put there must not hang init.
	fd, err := unix.Openat(seccompCacheFd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, false
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil || len(b) == 0 || len(b) > limit {
		return nil, false
	}
	return b, true
}

// storeCacheFile writes b under a temporary name and renames it into
// place, so that a concurrent init reads all of it or nothing. Failing to
// store (init no longer root, say) only means a later init compiles again.
func storeCacheFile(name string, b []byte, limit int) {
	if len(b) > limit {
		return
	}
	// Not the pid: every init is pid 1 of its own namespace.
	tmp := name + ".tmp." + rand.Text()
	fd, err := unix.Openat(seccompCacheFd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return
	}
	err = writeFull(fd, b)
	unix.Close(fd)
	if err == nil {
		err = unix.Renameat(seccompCacheFd, tmp, seccompCacheFd, name)
	}
	if err != nil {
		_ = unix.Unlinkat(seccompCacheFd, tmp, 0)
	}
}

func writeFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
