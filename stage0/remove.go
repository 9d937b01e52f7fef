package stage0

import (
	"errors"
	"fmt"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// Remove deletes one pod that is not running: exited, prepared, an
// aborted prepare, or garbage. A pod that ran gets stage1's gc first.
func (r *Runtime) Remove(ref string) error {
	p, err := r.pods.Get(ref)
	if err != nil {
		return err
	}
	st, err := p.State()
	if err != nil {
		return err
	}
	var to string
	switch st {
	case pod.Exited:
		to = pod.DirExitedGarbage
	case pod.Prepared, pod.AbortedPrepare:
		to = pod.DirGarbage
	case pod.ExitedGarbage, pod.Garbage:
	default:
		return fmt.Errorf("pod %s is %s: %w", p.UUID, st, errdefs.ErrWrongState)
	}
	if err := p.Lock(); err != nil {
		if errors.Is(err, errdefs.ErrBusy) {
			return fmt.Errorf("pod %s is in use (running or being removed): %w", p.UUID, errdefs.ErrWrongState)
		}
		return err
	}
	defer p.Close()
	if to != "" {
		// Under the lock the pod may turn out to have moved on (run-prepared won).
		switch p.StateDir() {
		case pod.DirRun, pod.DirPrepared, pod.DirPrepare:
		default:
			return fmt.Errorf("pod %s changed state meanwhile: %w", p.UUID, errdefs.ErrWrongState)
		}
		if p.StateDir() == pod.DirRun {
			to = pod.DirExitedGarbage
		}
		if err := p.Transition(to); err != nil {
			return err
		}
	}
	return r.removePod(p, false)
}

// removePod runs stage1 gc for a pod that ran, unmounts anything left
// below the pod dir and removes it. With try, a locked pod is ErrBusy at
// once (another gc has it).
func (r *Runtime) removePod(p *pod.Pod, try bool) error {
	if !p.Locked() {
		lock := p.Lock
		if try {
			lock = p.TryLock
		}
		if err := lock(); err != nil {
			return err
		}
		defer p.Close()
	}
	switch p.StateDir() {
	case pod.DirExitedGarbage:
		if err := r.stage1GC(p); err != nil {
			return err
		}
	case pod.DirGarbage:
	default:
		return fmt.Errorf("pod %s is not garbage: %w", p.UUID, errdefs.ErrWrongState)
	}
	if err := unmountUnder(p.Path()); err != nil {
		return err
	}
	return p.Remove()
}

// stage1GC runs stage1's gc entrypoint, which frees what stage1 allocated
// outside the pod dir (network namespaces, cgroups). A pod whose stage1
// tree is gone from the store is removed without it, with a warning.
func (r *Runtime) stage1GC(p *pod.Pod) error {
	s1, err := r.readStage1(p.Path())
	if err != nil {
		r.log.Warn("pod removed without stage1 gc", "uuid", p.UUID, "err", err)
		return nil
	}
	entry, err := s1.entrypoint(annotationGC)
	if err != nil {
		return nil // gc is optional in rkt's interface
	}
	var args []string
	if r.cfg.Debug {
		args = append(args, "--debug")
	}
	args = append(args, p.UUID)
	if err := runEntrypoint(stage1Mount{podDir: p.Path(), tree: s1.tree}, entry, args); err != nil {
		return fmt.Errorf("stage1 gc of pod %s (kept for the next gc): %w", p.UUID, err)
	}
	return nil
}
