package store

import (
	"container/list"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/appc/spec/pkg/acirenderer"
	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"
	"github.com/saturnpod/saturn/internal/errdefs"
)

// depGraph is an image and its dependencies, each resolved once to an ID.
type depGraph struct {
	s         *Store
	manifests map[string]*schema.ImageManifest
	deps      map[string][]string
}

// depList returns the flattened dependency list of image id, upper image
// first, built exactly as appc's acirenderer builds it. appc's own builder
// loops forever on a cycle and explodes on repeated diamonds, and resolves
// names again on every visit, so the graph is resolved and checked here
// first: a cycle, a missing dependency or too many images is an error.
func (s *Store) depList(id string) (acirenderer.Images, error) {
	g := &depGraph{s: s, manifests: map[string]*schema.ImageManifest{}, deps: map[string][]string{}}
	if err := g.visit(id, nil); err != nil {
		return nil, err
	}
	l := list.New()
	l.PushFront(acirenderer.Image{Im: g.manifests[id], Key: id})
	n := 1
	for el := l.Front(); el != nil; el = el.Next() {
		img := el.Value.(acirenderer.Image)
		for _, d := range g.deps[img.Key] {
			if n++; n > s.limits.MaxDependencies {
				return nil, fmt.Errorf("image %s: more than %d images in its dependency tree: %w", id, s.limits.MaxDependencies, errdefs.ErrInvalid)
			}
			l.InsertAfter(acirenderer.Image{Im: g.manifests[d], Key: d, Level: img.Level + 1}, el)
		}
	}
	imgs := make(acirenderer.Images, 0, n)
	for el := l.Front(); el != nil; el = el.Next() {
		imgs = append(imgs, el.Value.(acirenderer.Image))
	}
	return imgs, nil
}

// visit resolves id's dependencies depth first; path is the chain from the
// top image, in which finding id again means a cycle.
func (g *depGraph) visit(id string, path []string) error {
	for i, p := range path {
		if p == id {
			return fmt.Errorf("dependency cycle: %s: %w", strings.Join(append(path[i:], id), " -> "), errdefs.ErrInvalid)
		}
	}
	if _, done := g.manifests[id]; done {
		return nil
	}
	if len(path) >= g.s.limits.MaxDependencies {
		return fmt.Errorf("dependency chain longer than %d: %w", g.s.limits.MaxDependencies, errdefs.ErrInvalid)
	}
	m, err := g.s.Manifest(id)
	if err != nil {
		if len(path) > 0 {
			return fmt.Errorf("dependency of %s: %w", path[len(path)-1], err)
		}
		return err
	}
	var ids []string
	for _, d := range m.Dependencies {
		did, err := g.s.resolveDep(d)
		if err != nil {
			return fmt.Errorf("image %s: %w", id, err)
		}
		ids = append(ids, did)
	}
	path = append(path, id)
	for _, did := range ids {
		if err := g.visit(did, path); err != nil {
			return err
		}
	}
	g.manifests[id], g.deps[id] = m, ids
	return nil
}

// resolveDep finds the image a dependency names: by image ID when given
// (appc: it takes precedence), else by name and labels.
func (s *Store) resolveDep(d types.Dependency) (string, error) {
	var (
		id  string
		err error
	)
	if d.ImageID != nil && !d.ImageID.Empty() {
		id, err = s.resolveID(d.ImageID.String())
	} else {
		labels := map[string]string{}
		for _, l := range d.Labels {
			labels[l.Name.String()] = l.Value
		}
		id, err = s.resolveName(d.ImageName.String(), labels)
	}
	if err != nil {
		return "", fmt.Errorf("missing dependency %s: %w", d.ImageName, err)
	}
	return id, nil
}

// provider gives acirenderer the blobs. acirenderer re-hashes each blob it
// reads against its ID, so a corrupted blob fails the render.
type provider struct{ s *Store }

func (p provider) ReadStream(key string) (io.ReadCloser, error) {
	f, err := os.Open(p.s.blobPath(key))
	if err != nil {
		return nil, fmt.Errorf("image %s: blob: %w", key, errdefs.ErrNotFound)
	}
	return f, nil
}

func (p provider) ResolveKey(key string) (string, error) {
	if err := checkID(key); err != nil {
		return "", err
	}
	return key, nil
}

func (p provider) HashToKey(h hash.Hash) string { return idOf(h) }
