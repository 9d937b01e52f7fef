package stage0

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// runningPod finds a pod and checks that it is running.
func (r *Runtime) runningPod(ref string) (*pod.Pod, error) {
	p, err := r.pods.Get(ref)
	if err != nil {
		return nil, err
	}
	st, err := p.State()
	if err != nil {
		return nil, err
	}
	if st != pod.Running {
		return nil, fmt.Errorf("pod %s is %s, not running: %w", p.UUID, st, errdefs.ErrWrongState)
	}
	return p, nil
}

// Stop asks stage1 to stop a running pod (force: kill it now), through
// its stop entrypoint, then waits up to wait (0: not at all) for it to exit.
func (r *Runtime) Stop(ref string, force bool, wait time.Duration) error {
	p, err := r.runningPod(ref)
	if err != nil {
		return err
	}
	s1, err := r.readStage1(p.Path())
	if err != nil {
		return err
	}
	entry, err := s1.entrypoint(annotationStop)
	switch {
	case err == nil:
		args := []string{p.UUID}
		if force {
			args = []string{"--force", p.UUID}
		}
		if err := runEntrypoint(stage1Mount{podDir: p.Path(), tree: s1.tree}, entry, args); err != nil {
			return fmt.Errorf("stop pod %s: %w", p.UUID, err)
		}
	case errors.Is(err, errdefs.ErrNotFound):
		// The stop entrypoint is optional in rkt's interface: signal the
		// pod's process as rkt's stop did for such a stage1.
		if err := r.signalPod(p, force); err != nil {
			return err
		}
	default:
		return err
	}
	if wait <= 0 {
		return nil
	}
	if _, err := p.Wait(wait); err != nil {
		return fmt.Errorf("stop pod %s: %w", p.UUID, err)
	}
	return nil
}

func (r *Runtime) signalPod(p *pod.Pod, force bool) error {
	pid, err := p.PID()
	if err != nil {
		return err
	}
	sig := unix.SIGTERM
	if force {
		sig = unix.SIGKILL
	}
	if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal pod %s: %w", p.UUID, err)
	}
	return nil
}
