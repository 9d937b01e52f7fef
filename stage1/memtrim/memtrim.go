// Package memtrim shrinks a long-lived stage1 process (stage1 init, the
// pod init) once its setup is done: what setup allocated is garbage, and
// the code that ran only during setup need not stay mapped.
//
// Trim runs a collection and returns the freed heap to the kernel
// (debug.FreeOSMemory), then unmaps the pages of the binary's code and
// read-only data (madvise MADV_DONTNEED on its private file mappings).
// Those pages stay in the page cache, shared by every pod of the same
// stage1 image, and fault back in (minor faults, no I/O) when they run
// again; what stays mapped is the code a waiting process really runs.
package memtrim

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Trim releases what setup left behind. It is best effort: an error
// changes nothing but the memory use.
func Trim() {
	m := os.Getenv("XTRIM")
	if m == "0" {
		return
	}
	if m != "2" {
		debug.FreeOSMemory()
	}
	if m != "1" {
		dropFileText()
	}
	if m == "4" {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		println("XTRIM heapinuse", ms.HeapInuse, "heapalloc", ms.HeapAlloc, "stack", ms.StackInuse, "mspan", ms.MSpanInuse, "gcsys", ms.GCSys, "other", ms.OtherSys, "released", ms.HeapReleased, "goroutines", runtime.NumGoroutine())
	}
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
