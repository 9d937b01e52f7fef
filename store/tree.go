package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/appc/spec/pkg/acirenderer"
	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/fsutil"
	"github.com/saturnpod/saturn/internal/lock"
	"golang.org/x/sys/unix"
)

// renderedFile is the marker of a complete tree. Its content says what the
// tree was rendered from; its mtime is the tree's last use.
const renderedFile = "rendered"

type treeMarker struct {
	Images   []string  `json:"images"` // upper first, as rendered
	Levels   []uint16  `json:"levels"` // each image's depth in the dependency tree
	Rendered time.Time `json:"rendered"`
}

// RenderTree returns the tree of an image (a full ID, or any reference
// Resolve takes) rendered with its dependencies, rendering it first unless
// a complete one exists, and the absolute path of its rootfs. The tree is
// shared by every pod of the image and must be used read-only (as an overlay
// lower dir). It marks the image and its dependencies as used.
func (s *Store) RenderTree(id string) (string, string, error) {
	id, err := s.Resolve(id)
	if err != nil {
		return "", "", err
	}
	imgs, err := s.depList(id)
	if err != nil {
		return "", "", err
	}
	ids := make([]string, len(imgs))
	for i, img := range imgs {
		ids[i] = img.Key
	}
	treeID := treeIDOf(ids)
	if !s.treeComplete(treeID) {
		if err := s.renderTree(treeID, ids, imgs); err != nil {
			return "", "", fmt.Errorf("render %s: %w", id, err)
		}
	}
	now := time.Now()
	touch(filepath.Join(s.treeDir(treeID), renderedFile), now)
	for _, i := range ids {
		touch(filepath.Join(s.imageDir(i), "info"), now)
	}
	return treeID, filepath.Join(s.treeDir(treeID), "rootfs"), nil
}

// useResolution is how precisely a use is recorded: a tree or image used
// within it is not touched again. Each touch is a journaled metadata
// write on every pod start; gc keeps a tree for minTreeAge (far more)
// after its last recorded use.
const useResolution = 10 * time.Second

// touch records a use of a tree or an image: the mtime of its marker
// (rendered) or info file.
func touch(path string, now time.Time) {
	if fi, err := os.Stat(path); err == nil && now.Sub(fi.ModTime()) < useResolution {
		return
	}
	os.Chtimes(path, now, now)
}

// TreeRootfs returns the rootfs path of a complete tree.
func (s *Store) TreeRootfs(treeID string) (string, error) {
	if !IsTreeID(treeID) {
		return "", fmt.Errorf("%q is not a tree ID: %w", treeID, errdefs.ErrInvalid)
	}
	if !s.treeComplete(treeID) {
		return "", fmt.Errorf("tree %s: %w", treeID, errdefs.ErrNotFound)
	}
	return filepath.Join(s.treeDir(treeID), "rootfs"), nil
}

func (s *Store) treeComplete(treeID string) bool {
	_, err := os.Stat(filepath.Join(s.treeDir(treeID), renderedFile))
	return err == nil
}

// renderTree renders into the temporary area and publishes the tree with
// one rename, after its marker: a tree in trees/ is always complete, and
// one killed half-way is only a temporary entry the next command removes.
// The tree lock makes concurrent renders of one tree wait for the first.
func (s *Store) renderTree(treeID string, ids []string, imgs acirenderer.Images) error {
	l, err := lock.Exclusive(s.treeLock(treeID))
	if err != nil {
		return err
	}
	defer l.Unlock()
	if s.treeComplete(treeID) {
		return nil
	}
	// A tree without its marker is incomplete (not made by this code, or
	// damaged): set it aside and render again.
	if _, err := os.Lstat(s.treeDir(treeID)); err == nil {
		if err := s.discard(s.treeDir(treeID)); err != nil {
			return err
		}
	}
	t, err := s.newTemp()
	if err != nil {
		return err
	}
	defer t.remove()
	dir := t.path("tree")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	layers, err := s.plan(imgs)
	if err != nil {
		return err
	}
	if err := s.extractLayers(layers, dir, treeNames); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		return err
	}
	// The marker promises a complete tree, also after a power loss.
	if err := syncFS(dir); err != nil {
		return err
	}
	levels := make([]uint16, len(imgs))
	for i, img := range imgs {
		levels[i] = img.Level
	}
	mb, _ := json.Marshal(treeMarker{Images: ids, Levels: levels, Rendered: time.Now().UTC()})
	if err := writeSynced(filepath.Join(dir, renderedFile), mb); err != nil {
		return err
	}
	if err := os.Rename(dir, s.treeDir(treeID)); err != nil {
		return fmt.Errorf("publishing tree: %w", err)
	}
	return fsutil.SyncDir(filepath.Dir(s.treeDir(treeID)))
}

func syncFS(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Syncfs(fd)
}

// discard moves a directory of the store into the temporary area and
// deletes it there: the rename makes it vanish at once, and if the deletion
// is killed half-way the next command finishes it.
func (s *Store) discard(path string) error {
	t, err := s.newTemp()
	if err != nil {
		return err
	}
	defer t.remove()
	return s.discardInto(t, path)
}

// discardInto moves path into the temporary entry t, for its owner to
// remove, and makes the move durable.
func (s *Store) discardInto(t *temp, path string) error {
	if err := os.Rename(path, t.path("old")); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return fsutil.SyncDir(filepath.Dir(path))
}

// readMarker reads the marker of a complete tree.
func (s *Store) readMarker(treeID string) (treeMarker, error) {
	var m treeMarker
	b, err := os.ReadFile(filepath.Join(s.treeDir(treeID), renderedFile))
	if err != nil {
		return m, fmt.Errorf("tree %s: %w", treeID, errdefs.ErrNotFound)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("tree %s: marker: %w", treeID, err)
	}
	return m, nil
}
