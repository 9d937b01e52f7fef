package store

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/appc/spec/pkg/acirenderer"
	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/tarx"
)

// layer is one image of a render and the entries it contributes.
type layer struct {
	id    string
	want  func(name string, hdr *tar.Header) bool
	files map[string]struct{}
}

// plan decides which entry of which image ends up in the rendered tree.
// With dependencies, appc's acirenderer decides (upper images win, path
// whitelists apply down their branch). A single image needs no arbitration:
// its rootfs filtered by its own pathWhitelist, which is what acirenderer
// computes too, without reading and hashing the blob a second time.
func (s *Store) plan(imgs acirenderer.Images) ([]layer, error) {
	if len(imgs) == 1 {
		pwl := map[string]bool{}
		for _, p := range imgs[0].Im.PathWhitelist {
			pwl[path.Join("rootfs", p)] = true
		}
		want := func(name string, hdr *tar.Header) bool {
			if name == "manifest" || name == "rootfs" {
				return true
			}
			if !strings.HasPrefix(name, "rootfs/") {
				return false
			}
			return len(pwl) == 0 || hdr.Typeflag == tar.TypeDir || pwl[name]
		}
		return []layer{{id: imgs[0].Key, want: want}}, nil
	}
	ra, err := acirenderer.GetRenderedACIFromList(imgs, provider{s})
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	var layers []layer
	for _, a := range ra {
		files := a.FileMap
		layers = append(layers, layer{id: a.Key, files: files, want: func(name string, _ *tar.Header) bool {
			_, ok := files[name]
			return ok
		}})
	}
	return layers, nil
}

// mapper turns an entry name of the ACI into a path in the destination, or
// says to skip it.
type mapper func(name string) (string, bool)

// treeNames keeps the ACI's layout (manifest, rootfs/...).
func treeNames(name string) (string, bool) { return name, true }

// rootfsNames keeps only the root filesystem, at the top of the destination.
func rootfsNames(name string) (string, bool) {
	if name == "rootfs" {
		return ".", true
	}
	rest, ok := strings.CutPrefix(name, "rootfs/")
	return rest, ok
}

// extractLayers writes the planned entries of each image into dir.
func (s *Store) extractLayers(layers []layer, dir string, m mapper) error {
	root := os.Geteuid() == 0
	x, err := tarx.New(dir, tarx.Options{Owner: root, Devices: root})
	if err != nil {
		return err
	}
	for _, l := range layers {
		if err := s.extractLayer(x, l, m); err != nil {
			x.Close()
			return fmt.Errorf("image %s: %w", l.id, err)
		}
	}
	return x.Close()
}

func (s *Store) extractLayer(x *tarx.Extractor, l layer, m mapper) error {
	f, err := os.Open(s.blobPath(l.id))
	if err != nil {
		return fmt.Errorf("blob: %w", errdefs.ErrNotFound)
	}
	defer f.Close()
	r := tarx.NewFileReader(f)
	// The blob was checked at import; checking again costs little and
	// keeps a tampered blob from being trusted.
	c := newACIChecker(s.limits)
	for {
		hdr, err := r.Next()
		if err == io.EOF {
			return c.finish()
		}
		if err != nil {
			return fmt.Errorf("reading blob: %w", err)
		}
		body := r.Body(hdr)
		// The checker reads the manifest's data: give it its own cursor.
		cbody := body
		if sec, ok := body.(*tarx.Section); ok {
			cp := *sec
			cbody = &cp
		}
		name, err := c.check(hdr, cbody)
		if err != nil {
			return err
		}
		if !l.want(name, hdr) {
			continue
		}
		dest, ok := m(name)
		if !ok {
			continue
		}
		if hdr.Typeflag == tar.TypeLink {
			h := *hdr
			target, _ := tarx.CleanName(hdr.Linkname)
			if h.Linkname, ok = m(target); !ok {
				continue
			}
			hdr = &h
		}
		if err := x.Add(dest, hdr, body); err != nil {
			return err
		}
	}
}
