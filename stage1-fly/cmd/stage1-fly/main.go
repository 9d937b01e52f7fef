// Command stage1-fly is the fly stage1's one static binary. Its name
// (argv[0]) picks the part it plays: the entrypoints the stage1 manifest
// names (/run, /enter, /gc, /stop are links to it) and the default
// stage1's exec helper, which runs the pre-start handlers.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/saturnpod/saturn/stage1-fly/enter"
	"github.com/saturnpod/saturn/stage1-fly/gc"
	"github.com/saturnpod/saturn/stage1-fly/run"
	"github.com/saturnpod/saturn/stage1-fly/stop"
	"github.com/saturnpod/saturn/stage1/appexec"
)

func main() {
	args := os.Args[1:]
	switch filepath.Base(os.Args[0]) {
	case "run":
		os.Exit(run.Main(args))
	case "enter":
		os.Exit(enter.Main(args))
	case "stop":
		os.Exit(stop.Main(args))
	case "gc":
		os.Exit(gc.Main(args))
	case appexec.Name:
		os.Exit(appexec.Main(args))
	}
	fmt.Fprintf(os.Stderr, "saturn stage1-fly: unknown entrypoint %q (want run, enter, gc or stop)\n", os.Args[0])
	os.Exit(254)
}
