package store

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/fsutil"
	"github.com/saturnpod/saturn/internal/lock"
)

// info is what images/<id>/info holds. Its mtime is the image's last use.
type info struct {
	Name       string            `json:"name"`
	Labels     map[string]string `json:"labels,omitempty"`
	Size       int64             `json:"size"`
	ImportTime time.Time         `json:"importTime"`
}

// ImportFile imports the ACI at path (see Import). An uncompressed ACI is
// copied into the store in the kernel while it is hashed and checked.
func (s *Store) ImportFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	id, err := s.importFile(f)
	if err != nil {
		return "", fmt.Errorf("import %s: %w", path, err)
	}
	return id, nil
}

func (s *Store) importFile(f *os.File) (string, error) {
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	magic := make([]byte, 6)
	n, _ := f.ReadAt(magic, 0)
	if !fi.Mode().IsRegular() || compressed(magic[:n]) || fi.Size() > s.limits.MaxImageSize {
		return s.Import(f)
	}
	return s.importStream(func(blob *os.File) ([]byte, string, int64, error) {
		a := startAheadCopy(f, blob, fi.Size())
		hw := newHashWriter(nil)
		mf, readErr := s.readACI(a, hw)
		id, size, err := hw.close()
		copyErr := a.wait()
		if readErr != nil {
			return nil, "", 0, readErr
		}
		if copyErr != nil {
			return nil, "", 0, fmt.Errorf("copying: %w", copyErr)
		}
		return mf, id, size, err
	})
}

// Import reads an ACI (plain tar, gzip, bzip2 or xz), checks every entry and
// the manifest, and stores it under its ID, which it returns: "sha512-" and
// the hex sha512 of the uncompressed tar. Importing an image the store
// already has changes nothing and returns the same ID. A refused archive
// leaves nothing behind.
func (s *Store) Import(r io.Reader) (string, error) {
	return s.importStream(func(blob *os.File) ([]byte, string, int64, error) {
		hw := newHashWriter(blob)
		mf, readErr := s.readACI(r, hw)
		id, size, err := hw.close()
		if readErr != nil {
			return nil, "", 0, readErr
		}
		return mf, id, size, err
	})
}

// importStream runs fill, which writes the uncompressed ACI into blob and
// returns its manifest, ID and size, then parses the manifest and commits.
func (s *Store) importStream(fill func(blob *os.File) ([]byte, string, int64, error)) (string, error) {
	t, err := s.newTemp()
	if err != nil {
		return "", err
	}
	defer t.remove()
	blob, err := os.OpenFile(t.path("blob"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer blob.Close()
	mf, id, size, err := fill(blob)
	if err != nil {
		return "", err
	}
	m, err := ParseManifest(mf)
	if err != nil {
		return "", err
	}
	if err := blob.Sync(); err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	inf := info{Name: m.Name.String(), Labels: map[string]string{}, Size: size, ImportTime: time.Now().UTC()}
	for _, l := range m.Labels {
		inf.Labels[l.Name.String()] = l.Value
	}
	return id, s.commit(t, id, mf, inf)
}

// readACI copies the uncompressed stream to w while checking it entry by
// entry, and returns the manifest bytes.
func (s *Store) readACI(r io.Reader, w io.Writer) ([]byte, error) {
	dr, kind, err := decompress(r)
	if err != nil {
		return nil, err
	}
	lr := &limitedReader{r: dr, left: s.limits.MaxImageSize}
	tee := io.TeeReader(lr, w)
	tr := tar.NewReader(tee)
	c := newACIChecker(s.limits)
	buf := make([]byte, 256<<10)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, streamErr(kind, lr, err)
		}
		if _, err := c.check(hdr, tr); err != nil {
			return nil, err
		}
		if _, err := io.CopyBuffer(io.Discard, onlyReader{tr}, buf); err != nil {
			return nil, streamErr(kind, lr, err)
		}
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	// The rest of the stream (the tar's zero blocks, and anything after)
	// is part of the blob and its hash; reading to the end also makes the
	// decompressor check its trailer, so a corrupt stream is refused.
	if _, err := io.CopyBuffer(io.Discard, onlyReader{tee}, buf); err != nil {
		return nil, streamErr(kind, lr, err)
	}
	return c.manifest, nil
}

// onlyReader hides WriterTo so io.CopyBuffer uses the given buffer.
type onlyReader struct{ io.Reader }

func streamErr(kind string, lr *limitedReader, err error) error {
	if lr.over {
		return fmt.Errorf("image larger than the limit of %d bytes: %w", lr.limit(), errdefs.ErrInvalid)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated %s stream: %w", kind, errdefs.ErrInvalid)
	}
	return fmt.Errorf("corrupt %s stream: %v: %w", kind, err, errdefs.ErrInvalid)
}

// limitedReader fails, rather than stopping quietly, past its limit: a
// decompression bomb is an error, not a shorter image.
type limitedReader struct {
	r    io.Reader
	left int64
	read int64
	over bool
}

func (l *limitedReader) limit() int64 { return l.left + l.read }

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.over = true
		return 0, errors.New("size limit exceeded")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.read += int64(n)
	return n, err
}

// commit publishes an imported image: blob, name reference, then the image
// directory, whose rename is the moment the image exists. A crash before
// that leaves an unreferenced blob or reference, which gc removes.
func (s *Store) commit(t *temp, id string, mf []byte, inf info) error {
	l, err := lock.Exclusive(s.imageLock(id))
	if err != nil {
		return err
	}
	defer l.Unlock()
	if _, err := os.Stat(s.imageDir(id)); err == nil {
		return nil
	}
	img := t.path("image")
	if err := os.Mkdir(img, 0o700); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	ib, _ := json.Marshal(inf)
	if err := writeSynced(filepath.Join(img, "manifest"), mf); err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(img, "info"), ib); err != nil {
		return err
	}
	if err := fsutil.SyncDir(img); err != nil {
		return err
	}
	if err := s.addRef(inf.Name, id); err != nil {
		return err
	}
	if err := os.Rename(t.path("blob"), s.blobPath(id)); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := fsutil.SyncDir(filepath.Dir(s.blobPath(id))); err != nil {
		return err
	}
	if err := os.Rename(img, s.imageDir(id)); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return fsutil.SyncDir(filepath.Dir(s.imageDir(id)))
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
