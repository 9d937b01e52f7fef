package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/saturnpod/saturn/internal/lock"
)

// minTreeAge is how long GC keeps a tree after its last use at least.
const minTreeAge = time.Minute

// GCResult says what GC removed.
type GCResult struct {
	Images []string `json:"images"`
	Trees  []string `json:"trees"`
}

// GC removes the images not used for longer than grace, the trees that no
// pod uses (inUse) and that were not used within grace or lost one of their
// images, and whatever killed processes left: temporary entries, blobs and
// name references of images that were never committed, stale lock files.
// A tree used within the last minute is kept whatever the grace period:
// that covers the moment between a pod's RenderTree and the pod recording
// the tree it uses, when inUse cannot know about it yet.
func (s *Store) GC(grace time.Duration, inUse InUse) (GCResult, error) {
	var res GCResult
	cutoff := time.Now().Add(-grace)
	treeCutoff := time.Now().Add(-max(grace, minTreeAge))
	imgs, err := s.List()
	if err != nil {
		return res, err
	}
	for _, img := range imgs {
		if img.LastUsed.After(cutoff) {
			continue
		}
		if err := s.Remove(img.ID, inUse); err != nil {
			return res, err
		}
		res.Images = append(res.Images, img.ID)
	}
	res.Trees, err = s.removeTrees(inUse, func(_ string, m treeMarker, used time.Time) bool {
		if used.Before(treeCutoff) {
			return true
		}
		for _, id := range m.Images {
			if _, err := os.Stat(s.imageDir(id)); err != nil {
				return true
			}
		}
		return false
	})
	if err != nil {
		return res, err
	}
	if _, err := s.cleanTemp(); err != nil {
		return res, err
	}
	s.cleanOrphans()
	return res, nil
}

// cleanOrphans removes blobs and references whose image directory does not
// exist, and lock files of keys that no longer exist. An import in progress
// holds its image lock, so its blob and reference are left alone.
func (s *Store) cleanOrphans() {
	gone := func(id string) bool {
		_, err := os.Stat(s.imageDir(id))
		return errors.Is(err, os.ErrNotExist)
	}
	withImageLock := func(id string, f func()) {
		l, err := lock.TryExclusive(s.imageLock(id))
		if err != nil {
			return
		}
		if gone(id) {
			f()
			l.Remove()
			return
		}
		l.Unlock()
	}
	blobs, _ := os.ReadDir(filepath.Join(s.dir, "blobs"))
	for _, b := range blobs {
		if id := b.Name(); IsID(id) && gone(id) {
			withImageLock(id, func() { os.Remove(s.blobPath(id)) })
		}
	}
	refs, _ := os.ReadDir(filepath.Join(s.dir, "refs"))
	for _, r := range refs {
		dir := filepath.Join(s.dir, "refs", r.Name())
		ids, _ := os.ReadDir(dir)
		for _, e := range ids {
			if id := e.Name(); gone(id) {
				withImageLock(id, func() { os.Remove(filepath.Join(dir, id)) })
			}
		}
		os.Remove(dir) // only if empty; addRef retries if it loses a race with this
	}
	locks, _ := os.ReadDir(filepath.Join(s.dir, "locks"))
	for _, e := range locks {
		name := e.Name()
		if id, ok := strings.CutPrefix(name, "image-"); ok && gone(id) {
			withImageLock(id, func() {})
		}
		if treeID, ok := strings.CutPrefix(name, "tree-"); ok {
			if _, err := os.Lstat(s.treeDir(treeID)); errors.Is(err, os.ErrNotExist) {
				if l, err := lock.TryExclusive(s.treeLock(treeID)); err == nil {
					l.Remove()
				}
			}
		}
	}
}
