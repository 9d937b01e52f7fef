package stage0

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// GCOptions tune a garbage collection.
type GCOptions struct {
	GracePeriod    time.Duration // an exited pod is removed this long after gc marked it
	ExpirePrepared time.Duration // a prepared pod never run is removed this long after creation
	MarkOnly       bool          // only mark pods as garbage, remove nothing
}

// GCFailure is a pod gc could not finish; the next gc tries again.
type GCFailure struct {
	UUID string
	Err  error
}

// GCResult is what one gc did.
type GCResult struct {
	Marked   []string // moved to exited-garbage or garbage
	Removed  []string
	Failures []GCFailure
}

// GC marks exited pods, expired prepared pods and aborted prepares as
// garbage, then removes garbage past its grace period. It never stops at
// one bad pod: failures are reported in the result and retried next time.
func (r *Runtime) GC(o GCOptions) (*GCResult, error) {
	all, err := r.pods.List()
	if err != nil {
		return nil, err
	}
	res := &GCResult{}
	now := time.Now()
	for _, p := range all {
		to, ok := r.garbageDir(p, o, now)
		if !ok {
			continue
		}
		if err := markGarbage(p, to); err != nil {
			if !errors.Is(err, errdefs.ErrBusy) && !errors.Is(err, errdefs.ErrNotFound) {
				res.Failures = append(res.Failures, GCFailure{p.UUID, err})
			}
			continue
		}
		res.Marked = append(res.Marked, p.UUID)
	}
	if o.MarkOnly {
		return res, nil
	}
	if all, err = r.pods.List(); err != nil {
		return nil, err
	}
	for _, p := range all {
		switch p.StateDir() {
		case pod.DirExitedGarbage:
			fi, err := os.Stat(p.Path())
			// Marked moments ago, perhaps by this very gc: measure from now.
			if err != nil || time.Since(fi.ModTime()) < o.GracePeriod {
				continue
			}
		case pod.DirGarbage:
		default:
			continue
		}
		err := r.removePod(p, true)
		switch {
		case err == nil:
			res.Removed = append(res.Removed, p.UUID)
		case errors.Is(err, errdefs.ErrBusy), errors.Is(err, errdefs.ErrNotFound):
			// Another gc or rm has it.
		default:
			res.Failures = append(res.Failures, GCFailure{p.UUID, err})
		}
	}
	return res, nil
}

// garbageDir decides whether a pod is garbage and where it goes.
func (r *Runtime) garbageDir(p *pod.Pod, o GCOptions, now time.Time) (string, bool) {
	st, err := p.State()
	if err != nil {
		return "", false
	}
	switch st {
	case pod.Exited:
		return pod.DirExitedGarbage, true
	case pod.AbortedPrepare:
		return pod.DirGarbage, true
	case pod.Embryo:
		// An embryo is locked for a moment only; unlocked it is a creator
		// that died between mkdir and lock.
		// Create re-checks under its lock, so taking a live one is safe,
		// only wasteful: wait a little unless told not to.
		fi, err := os.Stat(p.Path())
		return pod.DirGarbage, err == nil && now.Sub(fi.ModTime()) >= min(time.Minute, o.ExpirePrepared) && r.unlocked(p)
	case pod.Prepared:
		created := p.Times().Created
		return pod.DirGarbage, !created.IsZero() && now.Sub(created) >= o.ExpirePrepared
	}
	return "", false
}

func (r *Runtime) unlocked(p *pod.Pod) bool {
	if p.TryLock() != nil {
		return false
	}
	p.Close()
	return true
}

// markGarbage moves a pod to a garbage dir, re-checking under the lock
// that it is still where gc saw it, and stamps the move's time on the dir
// (the grace period counts from it).
func markGarbage(p *pod.Pod, to string) error {
	seen := p.StateDir()
	if err := p.TryLock(); err != nil {
		return err
	}
	defer p.Close()
	if p.StateDir() != seen {
		return fmt.Errorf("pod %s moved: %w", p.UUID, errdefs.ErrBusy)
	}
	if err := p.Transition(to); err != nil {
		return err
	}
	now := time.Now()
	return os.Chtimes(p.Path(), now, now)
}
