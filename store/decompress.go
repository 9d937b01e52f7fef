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
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("gzip: %w: %w", err, errdefs.ErrInvalid)
		}
		return zr, "gzip", nil
	case bytes.HasPrefix(magic, []byte("BZh")):
		return bzip2.NewReader(br), "bzip2", nil
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("xz: %w: %w", err, errdefs.ErrInvalid)
		}
		return xr, "xz", nil
	}
	return br, "tar", nil
}
