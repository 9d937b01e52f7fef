// Command stage1-fly is the fly stage1's one static binary. Its name
// (argv[0]) picks the part it plays: the entrypoints the stage1 manifest
// names (/run, /enter, /gc, /stop are links to it) and the default
// stage1's exec helper, which runs the pre-start handlers.
package main

import (
	"os"

	"github.com/saturnpod/saturn/internal/multicall"
	"github.com/saturnpod/saturn/stage1-fly/enter"
	"github.com/saturnpod/saturn/stage1-fly/gc"
	"github.com/saturnpod/saturn/stage1-fly/run"
	"github.com/saturnpod/saturn/stage1-fly/stop"
	"github.com/saturnpod/saturn/stage1/appexec"
)

func main() {
	os.Exit(multicall.Run("saturn stage1-fly", "run, enter, gc or stop", multicall.Mains{
		"run":        run.Main,
		"enter":      enter.Main,
		"stop":       stop.Main,
		"gc":         gc.Main,
		appexec.Name: appexec.Main,
	}, os.Args, os.Stderr))
}
