package store

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/ulikunitz/xz"
)

// decompress returns the uncompressed stream of an ACI, recognising gzip,
// bzip2 and xz by their magic bytes (names lie). Anything else is read as a
// plain tar. xz is decoded in Go: appc's reader shells out to xz and
// log.Fatal's when it is missing.
func decompress(r io.Reader) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(6)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", fmt.Errorf("reading image: %w", err)
	}
	switch {
	case bytes.HasPrefix(magic, []byte(gzipMagic)):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("gzip: %w: %w", err, errdefs.ErrInvalid)
		}
		return zr, "gzip", nil
	case bytes.HasPrefix(magic, []byte(bzip2Magic)):
		return bzip2.NewReader(br), "bzip2", nil
	case bytes.HasPrefix(magic, []byte(xzMagic)):
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("xz: %w: %w", err, errdefs.ErrInvalid)
		}
		return xr, "xz", nil
	}
	return br, "tar", nil
}

const (
	gzipMagic  = "\x1f\x8b"
	bzip2Magic = "BZh"
	xzMagic    = "\xfd7zXZ\x00"
)

// compressed reports whether an archive starts with a compression magic.
func compressed(magic []byte) bool {
	return bytes.HasPrefix(magic, []byte(gzipMagic)) || bytes.HasPrefix(magic, []byte(bzip2Magic)) || bytes.HasPrefix(magic, []byte(xzMagic))
}
