// Command stage1 is the default stage1's one static binary. Its name
// (argv[0]) picks the part it plays: the entrypoints the stage1 manifest
// names (/init, /enter, /gc, /stop are links to it) and the helpers it
// re-execs itself as (the pod init and the app exec helper).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/enter"
	"github.com/saturnpod/saturn/stage1/gc"
	"github.com/saturnpod/saturn/stage1/podinit"
	"github.com/saturnpod/saturn/stage1/run"
	"github.com/saturnpod/saturn/stage1/stop"
)

// init names the pod init's process after its role ("exe" otherwise, as it
// is started through /proc/self/exe). Package init functions run on the
// main thread, whose name ps shows for the process.
func init() {
	if filepath.Base(os.Args[0]) == podinit.Name {
		if name, err := unix.BytePtrFromString(podinit.Name); err == nil {
			unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
		}
	}
}

func main() {
	args := os.Args[1:]
	switch filepath.Base(os.Args[0]) {
	case "init", "run":
		os.Exit(run.Main(args))
	case podinit.Name:
		os.Exit(podinit.Main(args))
	case appexec.Name:
		os.Exit(appexec.Main())
	case "enter":
		os.Exit(enter.Main(args))
	case "stop":
		os.Exit(stop.Main(args))
	case "gc":
		os.Exit(gc.Main(args))
	}
	fmt.Fprintf(os.Stderr, "saturn stage1: unknown entrypoint %q (want init, enter, gc or stop)\n", os.Args[0])
	os.Exit(254)
}
