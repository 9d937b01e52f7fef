package tarx

import (
	"fmt"
	"io"
	"os"
	"slices"

	"golang.org/x/sys/unix"
)

// dir returns a handle on directory name, creating it and its parents
// (mode 0755) when the archive did not list them. The handle comes from the
// os.Root, so no symlink can lead it outside the root.
func (x *Extractor) dir(name string) (int, error) {
	if f, ok := x.dirs[name]; ok {
		return int(f.Fd()), nil
	}
	if name != "." {
		if err := x.root.MkdirAll(name, 0o755); err != nil {
			return -1, err
		}
	}
	f, err := x.openDir(name)
	if err != nil {
		return -1, err
	}
	return int(f.Fd()), nil
}

// openDir opens (and caches) an existing directory inside the root.
func (x *Extractor) openDir(name string) (*os.File, error) {
	if f, ok := x.dirs[name]; ok {
		return f, nil
	}
	f, err := x.root.OpenFile(name, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	if len(x.order) >= maxOpenDirs {
		old := x.order[0]
		x.order = x.order[1:]
		x.dirs[old].Close()
		delete(x.dirs, old)
	}
	x.dirs[name] = f
	x.order = append(x.order, name)
	return f, nil
}

// copy writes size bytes of body to f: in the kernel for a Section, through
// one large buffer otherwise.
func (x *Extractor) copy(f *os.File, size int64, body io.Reader) error {
	if s, ok := body.(*Section); ok && s.read == 0 && s.Size == size {
		done, err := copyRange(s.File, s.Off, f, size)
		if err == nil {
			return nil
		}
		// Filesystems without copy_file_range: fall back to reading.
		s.read = done
		if _, err := f.Seek(done, io.SeekStart); err != nil {
			return err
		}
	}
	if x.buf == nil {
		x.buf = make([]byte, 1<<20)
	}
	n, err := io.CopyBuffer(onlyWriter{f}, io.LimitReader(body, size), x.buf)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("short data (%d of %d bytes): %w", n, size, io.ErrUnexpectedEOF)
	}
	return nil
}

// onlyWriter hides os.File's ReadFrom so CopyBuffer uses our buffer.
type onlyWriter struct{ io.Writer }

func copyRange(src *os.File, off int64, dst *os.File, size int64) (int64, error) {
	var done int64
	for done < size {
		n, err := unix.CopyFileRange(int(src.Fd()), &off, int(dst.Fd()), nil, int(min(size-done, 1<<30)), 0)
		if err != nil {
			return done, err
		}
		if n == 0 {
			return done, io.ErrUnexpectedEOF
		}
		done += int64(n)
	}
	return done, nil
}

// Close sets the directory mtimes recorded by Add, deepest first, and
// releases every handle.
func (x *Extractor) Close() error {
	var first error
	slices.Reverse(x.times)
	for _, t := range x.times {
		if err := x.root.Chtimes(t.name, t.mtime, t.mtime); err != nil && first == nil {
			first = fmt.Errorf("extract %s: %w", t.name, err)
		}
	}
	x.times = nil
	for _, f := range x.dirs {
		f.Close()
	}
	clear(x.dirs)
	x.order = nil
	if err := x.root.Close(); err != nil && first == nil {
		first = err
	}
	return first
}
