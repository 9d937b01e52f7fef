package main

import (
	"os/exec"
	"path/filepath"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
)

// baseContenders time another saturn binary (-base: say, a build of the
// previous commit) the same way, in the same run, so that a change is
// measured against what it replaces under the same load. It runs
// baseStage1 if set (to compare stage1 images), else the stage1 image
// beside the saturn under test (to compare stage0s).
func baseContenders(base, baseStage1, saturn, data, stub, stubApp string) ([]*contender, error) {
	if baseStage1 == "" {
		baseStage1 = filepath.Join(filepath.Dir(saturn), "stage1.aci")
	}
	stage1 := "--stage1-path=" + baseStage1
	// Untimed: imports the stage1 image under the base's import cache.
	if err := benchutil.Sh(base, "--dir", data, "run", "--net=none", stage1, "saturn.io/bench/true"); err != nil {
		return nil, err
	}
	rts := []*contender{{Name: "base", Cmd: func(int) *exec.Cmd {
		return exec.Command(base, "--dir", data, "run", "--net=none", stage1, "saturn.io/bench/true")
	}}}
	if stub != "" && stubApp != "" {
		rts = append(rts, &contender{Name: "base0", Cmd: func(int) *exec.Cmd {
			return exec.Command(base, "--dir", data, "run", "--net=none", "--stage1-path="+stub, "saturn.test/stub-app")
		}})
	}
	return rts, nil
}
