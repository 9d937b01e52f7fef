// Command stage1-stub is a minimal stage1 written to rkt's stage1
// interface, for saturn's functional tests. One static binary serves every
// entrypoint (/run, /enter, /gc, /stop are symlinks to it). It runs no app:
// it checks what stage0 handed it (flags for its interface version, the
// lock fd, the pod dir layout, its private stage1 root), records that in
// the pod dir, and plays each app's part from the app's environment:
//
//	STUB_EXIT=N      the app's exit code (default 0)
//	STUB_SLEEP=DUR   the pod stays up this long (the longest of its apps)
//	STUB_SIGNAL=SIG  the pod dies of this signal (TERM, KILL, ...)
//
// Runtime errors exit 254, as the interface requires.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	var err error
	switch filepath.Base(os.Args[0]) {
	case "run":
		err = run(os.Args[1:])
	case "enter":
		err = enter(os.Args[1:])
	case "gc":
		err = gc(os.Args[1:])
	case "stop":
		err = stop(os.Args[1:])
	default:
		err = fmt.Errorf("unknown entrypoint %q", os.Args[0])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "stage1-stub %s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(254)
	}
}
