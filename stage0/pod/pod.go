package pod

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// lockPatience is how long Lock retries a held lock. status and list take
// the lock for microseconds to probe it; a transition must not fail because
// of such a probe, but must fail fast when a real owner (a running pod,
// another gc) holds it.
const lockPatience = 300 * time.Millisecond

// probePatience outlasts a status probe but not a real owner.
const probePatience = 50 * time.Millisecond

// Pod is one pod directory. Its state dir is where it was last seen; Lock
// pins it down.
type Pod struct {
	UUID string
	pods *Pods
	dir  string
	lock *os.File // the held pod dir lock, nil when not held
}

// Path is the pod dir's current absolute path.
func (p *Pod) Path() string { return filepath.Join(p.pods.root, p.dir, p.UUID) }

// StateDir is the state directory the pod was last seen in.
func (p *Pod) StateDir() string { return p.dir }

// Locked tells whether this handle holds the pod lock.
func (p *Pod) Locked() bool { return p.lock != nil }

// LockFile is the open, locked pod dir (for RKT_LOCK_FD); nil when not held.
func (p *Pod) LockFile() *os.File { return p.lock }

// Lock takes the pod's exclusive lock and pins down where the pod is. It
// fails with ErrBusy when another process holds it beyond a brief probe,
// and with ErrNotFound when the pod vanished meanwhile.
func (p *Pod) Lock() error { return p.lock0(lockPatience) }

// TryLock is Lock with less patience, for gc: it only tries pods it saw
// unlocked, so a lock held beyond a probe is another gc or rm: skip.
func (p *Pod) TryLock() error { return p.lock0(probePatience) }

func (p *Pod) lock0(patience time.Duration) error {
	if p.lock != nil {
		return nil
	}
	f, err := p.open()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(patience)
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return fmt.Errorf("pod %s is locked by another process: %w", p.UUID, errdefs.ErrBusy)
			}
			return fmt.Errorf("lock pod %s: %w", p.UUID, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Whoever held the lock before us may have moved or removed the pod.
	// Now nobody else can, so find where our fd points.
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return fmt.Errorf("stat pod %s: %w", p.UUID, err)
	}
	for _, d := range stateDirs() {
		var cand unix.Stat_t
		if unix.Lstat(filepath.Join(p.pods.root, d, p.UUID), &cand) == nil && cand.Ino == st.Ino && cand.Dev == st.Dev {
			p.dir, p.lock = d, f
			return nil
		}
	}
	f.Close()
	return fmt.Errorf("pod %s was removed: %w", p.UUID, errdefs.ErrNotFound)
}

// open opens the pod dir, following it if it moved since it was found.
func (p *Pod) open() (*os.File, error) {
	for range 3 {
		f, err := os.OpenFile(p.Path(), os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open pod %s: %w", p.UUID, err)
		}
		d := p.pods.locate(p.UUID)
		if d == "" {
			break
		}
		p.dir = d
	}
	return nil, fmt.Errorf("pod %s: %w", p.UUID, errdefs.ErrNotFound)
}

// Close releases the lock if this handle holds it.
func (p *Pod) Close() error {
	if p.lock == nil {
		return nil
	}
	err := p.lock.Close()
	p.lock = nil
	return err
}

// Transition moves the locked pod to another state dir, durably: Move,
// then SyncState.
func (p *Pod) Transition(to string) error {
	if err := p.Move(to); err != nil {
		return err
	}
	return p.SyncState()
}

// Move renames the locked pod dir into another state dir, without making
// the move durable: for a move that a crash may undo because both states
// mean the same to gc, or whose caller syncs it together with more (so
// that one journal commit carries all of it).
func (p *Pod) Move(to string) error {
	if p.lock == nil {
		return fmt.Errorf("transition of pod %s without its lock: %w", p.UUID, errdefs.ErrWrongState)
	}
	dst := filepath.Join(p.pods.root, to, p.UUID)
	if err := os.Rename(p.Path(), dst); err != nil {
		return fmt.Errorf("move pod %s to %s: %w", p.UUID, to, err)
	}
	p.dir = to
	return nil
}

// SyncState makes the pod's moves so far survive a crash: an fsync of the
// state dir that holds it now. That one is enough: a rename is a single
// atomic update of a journaling filesystem (ext4, xfs, btrfs), so the
// commit that makes the new name durable removes the old name with it; an
// fsync of the old parent too would only wait for a second, empty commit.
func (p *Pod) SyncState() error {
	return fsyncDir(filepath.Join(p.pods.root, p.dir))
}

// State derives the pod's state now. Probing the lock takes it shared for
// an instant; Lock's patience covers that.
func (p *Pod) State() (State, error) {
	if p.lock != nil {
		return deriveState(p.dir, true), nil
	}
	f, err := p.open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB)
	if err != nil && !errors.Is(err, unix.EWOULDBLOCK) {
		return "", fmt.Errorf("probe lock of pod %s: %w", p.UUID, err)
	}
	return deriveState(p.dir, err != nil), nil
}

// Wait blocks until the pod is no longer on its way to exit (embryo,
// preparing, prepared or running), or the timeout (0: none) passes. It
// returns the state it saw last.
func (p *Pod) Wait(timeout time.Duration) (State, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		st, err := p.State()
		if err != nil {
			return st, err
		}
		switch st {
		case Embryo, Preparing, Prepared, Running:
		default:
			return st, nil
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return st, fmt.Errorf("pod %s still %s after %s: %w", p.UUID, st, timeout, errdefs.ErrBusy)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Remove deletes the locked pod dir. Callers unmount what might be mounted
// below it first. A crash half-way leaves a partial dir in a garbage state,
// which the next gc removes.
func (p *Pod) Remove() error {
	if p.lock == nil {
		return fmt.Errorf("remove pod %s without its lock: %w", p.UUID, errdefs.ErrWrongState)
	}
	if err := os.RemoveAll(p.Path()); err != nil {
		return fmt.Errorf("remove pod %s: %w", p.UUID, err)
	}
	return fsyncDir(filepath.Join(p.pods.root, p.dir))
}
