package stage0

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// DefaultEnterCommand is what enter runs when no command is given.
const DefaultEnterCommand = "/bin/sh"

// Enter execs stage1's enter entrypoint to run cmd in an app of a running
// pod. app may be empty when the pod has one app. It returns only on error.
func (r *Runtime) Enter(ref, app string, cmd []string) error {
	p, err := r.runningPod(ref)
	if err != nil {
		return err
	}
	pm, err := p.Manifest()
	if err != nil {
		return err
	}
	var names []string
	found := false
	for _, ra := range pm.Apps {
		names = append(names, ra.Name.String())
		found = found || ra.Name.String() == app
	}
	switch {
	case app == "" && len(names) == 1:
		app = names[0]
	case app == "":
		return fmt.Errorf("pod %s has several apps, choose one with --app: %s: %w", p.UUID, strings.Join(names, ", "), errdefs.ErrInvalid)
	case !found:
		return fmt.Errorf("pod %s has no app %s (apps: %s): %w", p.UUID, app, strings.Join(names, ", "), errdefs.ErrNotFound)
	}
	pid, err := p.PID()
	if err != nil {
		return err
	}
	s1, err := r.readStage1(p.Path())
	if err != nil {
		return err
	}
	entry, err := s1.entrypoint(annotationEnter)
	if err != nil {
		return err
	}
	if len(cmd) == 0 {
		cmd = []string{DefaultEnterCommand}
	}
	args := append([]string{"--pid=" + strconv.Itoa(pid), "--appname=" + app, "--"}, cmd...)
	r.log.Debug("exec stage1 enter", "entrypoint", entry, "args", args)
	return execEntrypoint(stage1Mount{podDir: p.Path(), tree: s1.tree}, entry, args, os.Environ(), -1)
}
