// Package store is saturn's content-addressed image store: ACI blobs kept
// uncompressed under their sha512 ID, their manifests and a name index, and
// the tree store of rendered root filesystems that pods mount read-only.
//
// There is no database and no daemon. Everything is a plain file under
// <data>/cas, published by rename(2) after an fsync, and every change to one
// image or tree happens under a flock(2) on that key, so any number of
// processes can use one store at once and a crash leaves the old or the new
// state. Work in progress lives in cas/tmp, in entries locked by their
// owner; whatever a killed process left there is removed by the next one.
//
// Layout under <data>/cas:
//
//	blobs/<id>              the uncompressed ACI (a tar), read-only
//	images/<id>/manifest    the image manifest, as in the ACI
//	images/<id>/info        JSON: name, labels, size, import time; its mtime is the last use
//	refs/<sha256(name)>/<id> name index: one empty file per image of that name
//	trees/<treeID>/         a rendered image: manifest, rootfs/, rendered (marker, JSON)
//	tmp/                    work in progress, each entry with a lock file
//	locks/                  per-key lock files
package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// Limits bound what an imported archive may contain, so that a hostile or
// broken image cannot exhaust the disk, memory or time of the host.
type Limits struct {
	MaxImageSize    int64 // bytes of uncompressed tar
	MaxEntries      int   // tar entries
	MaxManifestSize int64 // bytes of manifest
	MaxDependencies int   // images in a flattened dependency list
}

// DefaultLimits are generous for real images and still finite.
func DefaultLimits() Limits {
	return Limits{
		MaxImageSize:    64 << 30,
		MaxEntries:      1 << 20,
		MaxManifestSize: 1 << 20,
		MaxDependencies: 256,
	}
}

// Store is an open image store. It holds no open files: a Store value is
// only a path and limits, cheap to create and safe to use from many
// goroutines and processes at once.
type Store struct {
	dir    string
	limits Limits
}

// Open opens the store under <dataDir>/cas, creating its directories, and
// cleans what killed processes left: temporary entries, and blobs, name
// references and lock files of imports that never committed. All of this is
// skipped for work another live process holds a lock on.
func Open(dataDir string) (*Store, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{dir: filepath.Join(abs, "cas"), limits: DefaultLimits()}
	for _, d := range []string{"", "blobs", "images", "refs", "trees", "tmp", "locks"} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	// The tree store is mounted by pods (stage1 may drop privileges):
	// the trees themselves are world-readable, the metadata is not.
	if err := os.Chmod(filepath.Join(s.dir), 0o711); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := os.Chmod(filepath.Join(s.dir, "trees"), 0o711); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Scanning for orphans walks the whole store; every command opens it,
	// so do that only when a process died half-way (gc always does it).
	dead, err := s.cleanTemp()
	if err != nil {
		return nil, err
	}
	if dead {
		s.cleanOrphans()
	}
	return s, nil
}

// SetLimits replaces the limits imports are checked against.
func (s *Store) SetLimits(l Limits) { s.limits = l }

// Dir is the store's directory (<data>/cas).
func (s *Store) Dir() string { return s.dir }

func (s *Store) blobPath(id string) string     { return filepath.Join(s.dir, "blobs", id) }
func (s *Store) imageDir(id string) string     { return filepath.Join(s.dir, "images", id) }
func (s *Store) treeDir(treeID string) string  { return filepath.Join(s.dir, "trees", treeID) }
func (s *Store) lockPath(key string) string    { return filepath.Join(s.dir, "locks", key) }
func (s *Store) imageLock(id string) string    { return s.lockPath("image-" + id) }
func (s *Store) treeLock(treeID string) string { return s.lockPath("tree-" + treeID) }
