package lock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestExclusiveAndShared(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l")
	a, err := Exclusive(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryExclusive(p); !errors.Is(err, errdefs.ErrBusy) {
		t.Fatalf("second exclusive: %v", err)
	}
	if _, err := TryShared(p); !errors.Is(err, errdefs.ErrBusy) {
		t.Fatalf("shared under exclusive: %v", err)
	}
	got := make(chan *Lock)
	go func() { l, _ := Exclusive(p); got <- l }()
	select {
	case <-got:
		t.Fatal("blocking lock did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	a.Unlock()
	b := <-got
	b.Unlock()
	s1, _ := Shared(p)
	s2, err := TryShared(p)
	if err != nil {
		t.Fatalf("two shared: %v", err)
	}
	s1.Unlock()
	s2.Unlock()
}

// A waiter on a lock file that gets removed ends up holding a lock on the
// path as it is now, not on the unlinked file.
func TestRemoveWhileWaiting(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l")
	a, _ := Exclusive(p)
	got := make(chan *Lock)
	go func() { l, _ := Exclusive(p); got <- l }()
	time.Sleep(20 * time.Millisecond)
	if err := a.Remove(); err != nil {
		t.Fatal(err)
	}
	b := <-got
	defer b.Unlock()
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("waiter holds a lock on a removed file: %v", err)
	}
	if _, err := TryExclusive(p); !errors.Is(err, errdefs.ErrBusy) {
		t.Fatal("lock on the current file not held")
	}
}

func TestDirectoryLock(t *testing.T) {
	d := t.TempDir()
	a, err := Exclusive(d)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Unlock()
	if _, err := TryExclusive(d); !errors.Is(err, errdefs.ErrBusy) {
		t.Fatalf("dir lock not exclusive: %v", err)
	}
}
