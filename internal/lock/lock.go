// Package lock takes flock(2) locks on files and directories. saturn has no
// daemon: every coordination between processes is one of these locks, held
// for as long as an operation (or a pod) needs it and released by the kernel
// when the process dies, so a crash never leaves a stale lock behind.
package lock

import (
	"errors"
	"fmt"
	"os"

	"github.com/saturnpod/saturn/internal/errdefs"
	"golang.org/x/sys/unix"
)

// Lock is a held flock on one file or directory.
type Lock struct {
	f    *os.File
	path string
}

// Exclusive blocks until it holds an exclusive lock on path, creating path
// as a regular file if it does not exist.
func Exclusive(path string) (*Lock, error) { return acquire(path, unix.LOCK_EX) }

// Shared blocks until it holds a shared lock on path, creating it if needed.
func Shared(path string) (*Lock, error) { return acquire(path, unix.LOCK_SH) }

// TryExclusive takes an exclusive lock on path without waiting; it returns
// an error wrapping errdefs.ErrBusy if another process holds a lock on it.
func TryExclusive(path string) (*Lock, error) {
	return acquire(path, unix.LOCK_EX|unix.LOCK_NB)
}

// TryShared takes a shared lock on path without waiting (errdefs.ErrBusy if
// an exclusive lock is held).
func TryShared(path string) (*Lock, error) { return acquire(path, unix.LOCK_SH|unix.LOCK_NB) }

func acquire(path string, how int) (*Lock, error) {
	for {
		f, err := open(path)
		if err != nil {
			return nil, err
		}
		if err := flock(f, how); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, fmt.Errorf("lock %s: %w", path, errdefs.ErrBusy)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		// The file may have been unlinked (by Remove in another process)
		// between our open and our flock: then we hold a lock on an inode
		// nobody else will ever see, so start over on the current one.
		same, err := samePath(f, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		if same {
			return &Lock{f: f, path: path}, nil
		}
		f.Close()
	}
}

func open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if errors.Is(err, unix.EISDIR) {
		f, err = os.OpenFile(path, os.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lock %s: %w", path, errdefs.ErrNotFound)
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	return f, nil
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

func samePath(f *os.File, path string) (bool, error) {
	var a, b unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &a); err != nil {
		return false, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := unix.Stat(path, &b); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		return false, fmt.Errorf("lock %s: %w", path, err)
	}
	return a.Dev == b.Dev && a.Ino == b.Ino, nil
}

// File returns the locked file, e.g. to hand its descriptor to a child.
func (l *Lock) File() *os.File { return l.f }

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Remove unlinks the lock file while still holding the lock, then releases
// it. Waiters notice the unlink and retry on a fresh file, so removing a lock
// file never lets two processes believe they both hold it.
func (l *Lock) Remove() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return errors.Join(err, l.Unlock())
}
