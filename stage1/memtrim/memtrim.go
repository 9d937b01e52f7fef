// Package memtrim keeps the long-lived stage1 processes (stage1 init, the
// pod init) small: once setup is done, none of the code that only setup
// ran stays mapped (Trim), and no memory profile is ever sampled.
//
// Trim unmaps the pages of the binary's code and read-only data (madvise
// MADV_DONTNEED on its private file mappings). Those pages stay in the
// page cache, shared by every pod of the same stage1 image, and fault back
// in (minor faults, no I/O) when they run again; what stays mapped is the
// code a waiting process really runs.
package memtrim

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// init turns memory profiling off before most packages' init functions
// allocate (packages initialize in import path order): the first sampled
// allocation makes the runtime allocate its profile hash table (1.4 MB of
// address space, a page or more of it resident in each process), and
// nothing in stage1 reads a memory profile.
func init() {
	runtime.MemProfileRate = 0
}

// Delay is how long a process waits to Trim once setup is done: a pod
// that ends sooner (a batch job, a failing app) neither pays for the trim
// nor faults the code of its exit path back in, on the path that its
// caller waits on.
const Delay = time.Second

// TrimLater runs Trim after Delay, on a timer; the process may exit first.
func TrimLater() {
	time.AfterFunc(Delay, Trim)
}

// Trim unmaps the code and read-only data setup used. It runs no garbage
// collection on purpose: a Go process that never collected is never
// collected by the two-minute forced GC either, whose marking would fault
// the binary's metadata (rodata) back in for good; and the heap of these
// processes stays far below the first GC's target.
func Trim() {
	dropFileText()
}

// dropFileText unmaps the process's read-only private mappings of its own
// executable (text and rodata). Writable mappings (.data) are private
// copies and stay.
func dropFileText() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	var ranges [][2]uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != exe || strings.Contains(fields[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil {
			ranges = append(ranges, [2]uintptr{uintptr(a), uintptr(b)})
		}
	}
	for _, r := range ranges {
		unix.Syscall(unix.SYS_MADVISE, r[0], r[1]-r[0], unix.MADV_DONTNEED)
	}
}
