package run

import (
	"fmt"
	"syscall"

	"github.com/appc/spec/schema"

	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/reaper"
)

// preStart runs the app's pre-start handlers in order, each to completion,
// in the app's root and with its confinement; a failing one fails the pod.
// Each runs through the default stage1's exec helper (this binary as
// appexec.Name), forked from this thread: it inherits the mount namespace
// and the root, so it only has to chdir, confine itself and exec.
func preStart(ra *schema.RuntimeApp, spec *appexec.Spec) error {
	for _, h := range ra.App.EventHandlers {
		if h.Name != "pre-start" || len(h.Exec) == 0 {
			continue
		}
		hs := *spec
		hs.Argv = h.Exec
		code, err := runHelper(&hs)
		if err != nil {
			return fmt.Errorf("pre-start handler %q: %w", h.Exec, err)
		}
		if code != 0 {
			return fmt.Errorf("pre-start handler %q exited %d", h.Exec, code)
		}
	}
	return nil
}

// runHelper starts the exec helper with spec and waits for its program.
// Its stdin is the app's (already /dev/null unless interactive).
func runHelper(spec *appexec.Spec) (int, error) {
	ws, err := appexec.RunHelper(spec, nil, func(files []uintptr) (int, error) {
		attr := &syscall.ProcAttr{
			Files: files,
			// The thread that forked it is locked for good: if this
			// process dies, so does the handler.
			Sys: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
		}
		// /proc/self/exe resolves through the host's /proc, bound where
		// an image cannot redirect it (see flyroot).
		return syscall.ForkExec("/proc/self/exe", []string{appexec.Name}, attr)
	})
	if err != nil {
		return 0, err
	}
	return reaper.ExitCode(ws), nil
}
