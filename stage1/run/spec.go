package run

import (
	"os"

	"github.com/saturnpod/saturn/stage1/ahead"
	"github.com/saturnpod/saturn/stage1/appcspec"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/podcfg"
	"github.com/saturnpod/saturn/stage1/podspec"
)

// resolveSpec reads the pod manifest into the pod init's podspec.Pod on a
// goroutine of its own, while the pod init starts and stage1 init makes
// the pod cgroup (package appcspec says why the pod init does not read
// it). Started earlier, beside the set-up before the pod init's start, it
// delayed that start by about 0.25 ms. run waits for it before it lets the
// pod start: a manifest it cannot read fails the pod.
func resolveSpec(flags *podcfg.RunFlags) func() (*podspec.Pod, error) {
	insecure := isolation.Insecure{Capabilities: flags.DisableCaps, Seccomp: flags.DisableSeccomp}
	return ahead.Run(func() (*podspec.Pod, error) { return appcspec.Pod(insecure) })
}

// sendSpec sends the pod spec, with the pod cgroup cg, to the pod init
// on w once it is resolved. When it cannot be, w stays open and the pod
// init waits on it: run reports the error and kills the pod init, which so
// says nothing more.
func sendSpec(w *os.File, spec func() (*podspec.Pod, error), cg *cgroups.Pod) {
	p, err := spec()
	if err != nil {
		return
	}
	withCgroup := *p
	withCgroup.Cgroup = cg
	// A pod init that died cannot read it: its exit says why.
	podspec.Send(w, &withCgroup)
}
