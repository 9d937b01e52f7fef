package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saturnpod/saturn/internal/lock"
)

// temp is one work-in-progress directory in cas/tmp. Its owner holds the
// lock on <dir>.lock for as long as it works there; an entry whose lock
// nobody holds was left by a dead process.
type temp struct {
	dir string
	l   *lock.Lock
}

// newTemp creates a locked temporary directory. The lock file exists before
// the directory and is removed after it, so a directory without its lock
// file is always garbage.
func (s *Store) newTemp() (*temp, error) {
	var b [12]byte
	rand.Read(b[:])
	dir := filepath.Join(s.dir, "tmp", hex.EncodeToString(b[:]))
	l, err := lock.Exclusive(dir + ".lock")
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		l.Remove()
		return nil, fmt.Errorf("store tmp: %w", err)
	}
	return &temp{dir: dir, l: l}, nil
}

func (t *temp) path(name string) string { return filepath.Join(t.dir, name) }

// remove deletes the directory and then its lock.
func (t *temp) remove() error {
	err := os.RemoveAll(t.dir)
	return errors.Join(err, t.l.Remove())
}

// cleanTemp removes the temporary entries of processes that died, and
// says whether it found any. Entries whose owner is alive are locked and
// skipped. Every import and removal keeps its entry until it is done, so a
// dead entry is the one sign that a process may have left orphans behind.
func (s *Store) cleanTemp() (foundDead bool, err error) {
	tmp := filepath.Join(s.dir, "tmp")
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return false, fmt.Errorf("store tmp: %w", err)
	}
	have := map[string]bool{}
	for _, e := range ents {
		have[e.Name()] = true
	}
	for _, e := range ents {
		name := e.Name()
		if base, ok := strings.CutSuffix(name, ".lock"); ok {
			l, err := lock.TryExclusive(filepath.Join(tmp, name))
			if err != nil {
				continue // alive, or removed meanwhile
			}
			os.RemoveAll(filepath.Join(tmp, base))
			l.Remove()
			foundDead = true
			continue
		}
		if !have[name+".lock"] {
			// A directory without its lock: its owner is gone (see newTemp).
			// Check again so an entry created meanwhile is not taken.
			if _, err := os.Lstat(filepath.Join(tmp, name+".lock")); errors.Is(err, os.ErrNotExist) {
				os.RemoveAll(filepath.Join(tmp, name))
				foundDead = true
			}
		}
	}
	return foundDead, nil
}
