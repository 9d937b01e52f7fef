package tarx

import (
	"archive/tar"
	"errors"
	"io"
	"os"
)

// Reader reads a tar archive stored in a file and knows where each entry's
// data sits in it: an entry's body (a Section) is read with pread, so that
// more than one reader can read it, each with a cursor of its own.
type Reader struct {
	tr *tar.Reader
	pr *posReader
}

// NewFileReader reads the tar archive in f from offset 0. It uses pread and
// never moves f's offset.
func NewFileReader(f *os.File) *Reader {
	pr := &posReader{f: f}
	return &Reader{tr: tar.NewReader(pr), pr: pr}
}

// Next advances to the next entry (io.EOF at the end of the archive).
func (r *Reader) Next() (*tar.Header, error) { return r.tr.Next() }

// Body is the data of the current entry: a Section of the file when the data
// is stored contiguously, the tar stream otherwise (sparse files).
func (r *Reader) Body(hdr *tar.Header) io.Reader {
	if contiguous(hdr) {
		return &Section{File: r.pr.f, Off: r.pr.pos, Size: hdr.Size}
	}
	return r.tr
}

// Section is Size bytes of File at offset Off. It is an io.Reader too, so
// code that does not care can read it like any entry body.
type Section struct {
	File      *os.File
	Off, Size int64
	read      int64
}

func (s *Section) Read(p []byte) (int, error) {
	if s.read >= s.Size {
		return 0, io.EOF
	}
	if rest := s.Size - s.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.File.ReadAt(p, s.Off+s.read)
	s.read += int64(n)
	if errors.Is(err, io.EOF) && s.read < s.Size {
		err = io.ErrUnexpectedEOF
	} else if err == io.EOF {
		err = nil
	}
	return n, err
}

// posReader reads a file with pread and tracks its position, so that the tar
// reader's skips are Seeks that cost nothing.
type posReader struct {
	f   *os.File
	pos int64
}

func (p *posReader) Read(b []byte) (int, error) {
	n, err := p.f.ReadAt(b, p.pos)
	p.pos += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func (p *posReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		p.pos = off
	case io.SeekCurrent:
		p.pos += off
	default:
		return p.pos, errors.New("tarx: unsupported seek")
	}
	return p.pos, nil
}
