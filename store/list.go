package store

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/fsutil"
)

// ImageInfo describes one stored image. Its JSON form is what
// `saturn image list --format=json` prints; the field names are stable.
type ImageInfo struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Labels     map[string]string `json:"labels,omitempty"`
	Size       int64             `json:"size"` // bytes of the uncompressed ACI
	ImportTime time.Time         `json:"importTime"`
	LastUsed   time.Time         `json:"lastUsed"` // import, or the last render of a tree using it
}

// Info describes one image (id is a full ID).
func (s *Store) Info(id string) (ImageInfo, error) {
	if err := checkID(id); err != nil {
		return ImageInfo{}, err
	}
	inf, err := s.readInfo(id)
	if err != nil {
		return ImageInfo{}, err
	}
	fi, err := os.Stat(filepath.Join(s.imageDir(id), "info"))
	if err != nil {
		return ImageInfo{}, fmt.Errorf("image %s: %w", id, errdefs.ErrNotFound)
	}
	return ImageInfo{ID: id, Name: inf.Name, Labels: inf.Labels, Size: inf.Size, ImportTime: inf.ImportTime, LastUsed: fi.ModTime().UTC()}, nil
}

// List describes every image in the store, sorted by ID.
func (s *Store) List() ([]ImageInfo, error) {
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	out := []ImageInfo{}
	for _, id := range ids {
		inf, err := s.Info(id)
		if errors.Is(err, errdefs.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, inf)
	}
	return out, nil
}

// openBlob opens the ACI of an image for reading.
func (s *Store) openBlob(id string) (*os.File, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(s.blobPath(id))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("image %s: %w", id, errdefs.ErrNotFound)
		}
		return nil, fmt.Errorf("image %s: %w", id, err)
	}
	if _, err := os.Stat(s.imageDir(id)); err != nil {
		f.Close()
		return nil, fmt.Errorf("image %s: %w", id, errdefs.ErrNotFound)
	}
	return f, nil
}

// Export writes the ACI of an image (uncompressed, byte for byte what was
// imported after decompression) to out, replacing it atomically.
func (s *Store) Export(id, out string) error {
	f, err := s.openBlob(id)
	if err != nil {
		return err
	}
	defer f.Close()
	tmp, err := os.CreateTemp(filepath.Dir(out), fsutil.TempPrefix+filepath.Base(out)+"-")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, f)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// Extract writes the image's own rootfs (no dependencies, no path
// whitelist) into dir, which must not exist or be empty.
func (s *Store) Extract(id, dir string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := emptyDir(dir); err != nil {
		return err
	}
	all := func(string, *tar.Header) bool { return true }
	return s.extractLayers([]layer{{id: id, want: all}}, dir, rootfsNames)
}

// Render writes the image's rootfs with its dependencies applied, as a pod
// would see it, into dir, which must not exist or be empty.
func (s *Store) Render(id, dir string) error {
	if err := checkID(id); err != nil {
		return err
	}
	imgs, err := s.depList(id)
	if err != nil {
		return err
	}
	if err := emptyDir(dir); err != nil {
		return err
	}
	layers, err := s.plan(imgs)
	if err != nil {
		return err
	}
	return s.extractLayers(layers, dir, rootfsNames)
}

func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("%s is not empty: %w", dir, errdefs.ErrAlreadyExists)
	}
	return nil
}
