package store

import (
	"crypto/sha512"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/appc/spec/pkg/acirenderer"
	"github.com/saturnpod/saturn/internal/errdefs"
)

// VerifyReport is what Verify found. An empty Problems means the blob
// hashes to its ID and every tree rendered from the image matches what its
// images say it should contain.
type VerifyReport struct {
	ID       string   `json:"id"`
	Trees    []string `json:"trees"`
	Problems []string `json:"problems"`
}

// Verify re-hashes an image's blob, compares its manifest with the stored
// one, and compares each tree rendered from the image, entry by entry
// (type, mode, owner, size, content, link target), with its images.
func (s *Store) Verify(id string) (VerifyReport, error) {
	rep := VerifyReport{ID: id, Problems: []string{}}
	f, err := s.openBlob(id)
	if err != nil {
		return rep, err
	}
	h := sha512.New()
	_, err = io.CopyBuffer(h, f, make([]byte, 1<<20))
	f.Close()
	if err != nil {
		return rep, fmt.Errorf("verify %s: %w", id, err)
	}
	if got := idOf(h); got != id {
		rep.Problems = append(rep.Problems, fmt.Sprintf("blob: content hashes to %s", got))
	} else if err := s.verifyManifest(id); err != nil {
		rep.Problems = append(rep.Problems, err.Error())
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, "trees"))
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	for _, e := range ents {
		m, err := s.readMarker(e.Name())
		if err != nil || !slices.Contains(m.Images, id) {
			continue
		}
		rep.Trees = append(rep.Trees, e.Name())
		probs, err := s.verifyTree(e.Name(), m)
		if err != nil {
			return rep, err
		}
		rep.Problems = append(rep.Problems, probs...)
	}
	return rep, nil
}

// verifyManifest checks that the stored manifest is the blob's.
func (s *Store) verifyManifest(id string) error {
	stored, err := s.ManifestBytes(id)
	if err != nil {
		return err
	}
	f, err := s.openBlob(id)
	if err != nil {
		return err
	}
	defer f.Close()
	mf, err := s.readACI(f, io.Discard)
	if err != nil {
		return fmt.Errorf("blob: %v", err)
	}
	if string(mf) != string(stored) {
		return fmt.Errorf("manifest: stored copy differs from the blob's")
	}
	return nil
}

// verifyTree compares a tree with the render plan of its images.
func (s *Store) verifyTree(treeID string, m treeMarker) ([]string, error) {
	if len(m.Levels) != len(m.Images) {
		return []string{fmt.Sprintf("tree %s: damaged marker", treeID)}, nil
	}
	var imgs acirenderer.Images
	for i, id := range m.Images {
		im, err := s.Manifest(id)
		if err != nil {
			return []string{fmt.Sprintf("tree %s: cannot check, image %s: %v", treeID, id, err)}, nil
		}
		imgs = append(imgs, acirenderer.Image{Im: im, Key: id, Level: m.Levels[i]})
	}
	layers, err := s.plan(imgs)
	if err != nil {
		return []string{fmt.Sprintf("tree %s: %v", treeID, err)}, nil
	}
	root, err := os.OpenRoot(s.treeDir(treeID))
	if err != nil {
		return nil, fmt.Errorf("verify tree %s: %w", treeID, errdefs.ErrNotFound)
	}
	defer root.Close()
	c := newTreeComparer(root)
	for _, l := range layers {
		if err := c.layer(s, l); err != nil {
			c.problem("image %s: %v", l.id, err)
		}
	}
	c.extra()
	out := make([]string, len(c.problems))
	for i, p := range c.problems {
		out[i] = "tree " + treeID + ": " + p
	}
	return out, nil
}
