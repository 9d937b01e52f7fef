package stage0

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// importCached imports an ACI file into the store, remembering the result
// by path, size, mtime and inode: hashing a large stage1 image on every
// `saturn run` would cost more than the rest of stage0 together. The
// store is still asked whether the remembered ID exists, so a removed
// image is imported again.
func (r *Runtime) importCached(path string) (string, error) {
	st, err := r.Store()
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("image file %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("image file: %w", err)
	}
	key := fileKey(abs, fi)
	sum := sha256.Sum256([]byte(abs))
	cacheFile := filepath.Join(r.cfg.DataDir, "stage0-import-cache", hex.EncodeToString(sum[:]))
	if b, err := os.ReadFile(cacheFile); err == nil {
		if k, id, ok := strings.Cut(strings.TrimSpace(string(b)), "\n"); ok && k == key {
			if got, err := st.Resolve(id); err == nil && got == id {
				return id, nil
			}
		}
	}
	r.log.Debug("importing image", "file", abs)
	id, err := st.ImportFile(abs)
	if err != nil {
		return "", fmt.Errorf("import %s: %w", path, err)
	}
	// The cache is an optimisation: failing to write it is not an error.
	if err := os.MkdirAll(filepath.Dir(cacheFile), 0o700); err != nil {
		r.log.Debug("import cache not written", "err", err)
	} else if err := writeFileAtomic(cacheFile, []byte(key+"\n"+id+"\n"), 0o600); err != nil {
		r.log.Debug("import cache not written", "err", err)
	}
	return id, nil
}

// fileKey identifies one version of a file without reading it.
func fileKey(path string, fi os.FileInfo) string {
	var ino uint64
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = s.Ino
	}
	return fmt.Sprintf("%s %d %d %d", path, fi.Size(), fi.ModTime().UnixNano(), ino)
}

// writeFileAtomic writes via a temp file and rename, so readers see the
// old or the new content, never a torn one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
