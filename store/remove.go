package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/lock"
)

// InUse reports whether a pod uses a tree; the store cannot know (pods are
// not its business), so callers that remove trees pass one in. nil means
// no tree is in use.
type InUse func(treeID string) bool

// Remove deletes an image (a full ID) and the trees rendered from it that
// no pod uses. Trees in use stay until gc finds them unused; the pods
// running from them are not disturbed.
func (s *Store) Remove(id string, inUse InUse) error {
	if err := checkID(id); err != nil {
		return err
	}
	l, err := lock.Exclusive(s.imageLock(id))
	if err != nil {
		return err
	}
	inf, err := s.readInfo(id)
	if err != nil {
		l.Unlock()
		return err
	}
	// Moving the image directory into a temporary entry is the moment the
	// image is gone. The entry lives until the blob and reference are gone
	// too, so a removal killed in between leaves a dead entry, which makes
	// the next Open look for orphans.
	t, err := s.newTemp()
	if err != nil {
		l.Unlock()
		return err
	}
	if err := s.discardInto(t, s.imageDir(id)); err != nil {
		t.remove()
		l.Unlock()
		return err
	}
	os.Remove(filepath.Join(s.refDir(inf.Name), id))
	os.Remove(s.blobPath(id))
	err = errors.Join(t.remove(), l.Remove())
	if err != nil {
		return err
	}
	_, err = s.removeTrees(inUse, func(_ string, m treeMarker, _ time.Time) bool {
		return slices.Contains(m.Images, id)
	})
	return err
}

// removeTrees deletes the complete trees that no pod uses and that sel
// selects, and returns their IDs. Each is examined under its lock, so a
// render in progress finishes first.
func (s *Store) removeTrees(inUse InUse, sel func(string, treeMarker, time.Time) bool) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "trees"))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var removed []string
	for _, e := range ents {
		treeID := e.Name()
		if !IsTreeID(treeID) || (inUse != nil && inUse(treeID)) {
			continue
		}
		ok, err := s.removeTree(treeID, sel)
		if err != nil {
			return removed, err
		}
		if ok {
			removed = append(removed, treeID)
		}
	}
	return removed, nil
}

func (s *Store) removeTree(treeID string, sel func(string, treeMarker, time.Time) bool) (bool, error) {
	l, err := lock.Exclusive(s.treeLock(treeID))
	if err != nil {
		return false, err
	}
	defer l.Unlock()
	m, err := s.readMarker(treeID)
	if err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		return false, err
	}
	if err == nil {
		fi, err := os.Stat(filepath.Join(s.treeDir(treeID), renderedFile))
		if err != nil || !sel(treeID, m, fi.ModTime()) {
			return false, nil
		}
	} else if _, err := os.Lstat(s.treeDir(treeID)); err != nil {
		return false, nil // already gone
	}
	// Selected, or incomplete (no marker): either way it goes.
	if err := s.discard(s.treeDir(treeID)); err != nil {
		return false, err
	}
	return true, l.Remove()
}
