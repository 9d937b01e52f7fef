package stage0

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Stage1 selection, as rkt's flags: at most one of Path, Name, Hash and
// FromDir. None means the default image, DefaultStage1Image in ImagesDir.
type Stage1 struct {
	Path      string // an ACI file, imported into the store
	Name      string // name[:version] of an image already in the store
	Hash      string // ID (or prefix) of an image already in the store
	FromDir   string // an ACI file name in ImagesDir
	ImagesDir string // where FromDir and the default look; DefaultStage1ImagesDir() if empty
}

// DefaultStage1Image is the file name of the default stage1 image.
const DefaultStage1Image = "stage1.aci"

// InstalledStage1ImagesDir is where an installed saturn keeps its stage1 images.
const InstalledStage1ImagesDir = "/usr/lib/saturn/stage1-images"

// DefaultStage1ImagesDir is the directory of the running binary when it
// holds a stage1 image (a build tree's bin/), else the installed location.
func DefaultStage1ImagesDir() string {
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Dir(exe)
		if _, err := os.Stat(filepath.Join(dir, DefaultStage1Image)); err == nil {
			return dir
		}
	}
	return InstalledStage1ImagesDir
}

// resolveStage1 returns the store ID of the selected stage1 image,
// importing it from a file when selected by file.
func (r *Runtime) resolveStage1(s Stage1) (string, error) {
	n := 0
	for _, v := range []string{s.Path, s.Name, s.Hash, s.FromDir} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return "", fmt.Errorf("choose one of --stage1-path, --stage1-name, --stage1-hash, --stage1-from-dir: %w", errdefs.ErrInvalid)
	}
	st, err := r.Store()
	if err != nil {
		return "", err
	}
	dir := s.ImagesDir
	if dir == "" {
		dir = DefaultStage1ImagesDir()
	}
	switch {
	case s.Name != "":
		return st.Resolve(s.Name)
	case s.Hash != "":
		return st.Resolve(s.Hash)
	case s.Path != "":
		return r.importCached(s.Path)
	case s.FromDir != "":
		if filepath.Base(s.FromDir) != s.FromDir {
			return "", fmt.Errorf("--stage1-from-dir takes a file name in %s: %w", dir, errdefs.ErrInvalid)
		}
		return r.importCached(filepath.Join(dir, s.FromDir))
	default:
		return r.importCached(filepath.Join(dir, DefaultStage1Image))
	}
}
