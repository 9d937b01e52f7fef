package tarx

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
	"golang.org/x/sys/unix"
)

// maxOpenDirs bounds the directory handles kept open; archives list a
// directory's entries together, so a few suffice.
const maxOpenDirs = 64

// dirCache holds handles on directories under the root, by clean relative
// name ("." is the root, never evicted).
type dirCache struct {
	fds   map[string]int
	order []string
}

func newDirCache(root int) dirCache {
	return dirCache{fds: map[string]int{".": root}}
}

// get returns a handle on directory name, creating it and missing parents
// (mode 0755: the archive did not list them). It walks from the nearest
// cached ancestor, one component at a time, never following a symlink.
func (c *dirCache) get(name string) (int, error) {
	if fd, ok := c.fds[name]; ok {
		return fd, nil
	}
	anc := path.Dir(name)
	for {
		if _, ok := c.fds[anc]; ok {
			break
		}
		anc = path.Dir(anc)
	}
	fd := c.fds[anc]
	rest := strings.TrimPrefix(name, anc+"/")
	if anc == "." {
		rest = name
	}
	cur := anc
	for _, comp := range strings.Split(rest, "/") {
		cur = path.Join(cur, comp)
		if err := unix.Mkdirat(fd, comp, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
			return -1, err
		}
		next, err := openDirAt(fd, comp)
		if err != nil {
			return -1, err
		}
		fd = c.put(cur, next)
	}
	return fd, nil
}

// mkdir creates directory name (or finds an existing one) and returns a
// handle on it.
func (x *Extractor) mkdir(name string) (int, error) {
	if name == "." {
		return x.dirs.get(".")
	}
	if fd, ok := x.dirs.fds[name]; ok {
		return fd, nil
	}
	pfd, err := x.dirs.get(path.Dir(name))
	if err != nil {
		return -1, err
	}
	base := path.Base(name)
	if err := unix.Mkdirat(pfd, base, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, err
	}
	fd, err := openDirAt(pfd, base)
	if err != nil {
		return -1, err
	}
	return x.dirs.put(name, fd), nil
}

// openDirAt opens base in dfd as a directory, refusing a symlink (ELOOP) or
// anything else (ENOTDIR) with a clear error.
func openDirAt(dfd int, base string) (int, error) {
	fd, err := unix.Openat(dfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
		return -1, fmt.Errorf("%s exists and is not a directory (a symlink?): %w", base, errdefs.ErrInvalid)
	}
	return fd, err
}

// put caches a handle. It never evicts: a handle returned earlier in the
// same entry must stay valid (a closed descriptor number can be reused by
// the next open, which would send a write to another directory).
func (c *dirCache) put(name string, fd int) int {
	c.fds[name] = fd
	c.order = append(c.order, name)
	return fd
}

// trim closes the oldest handles beyond maxOpenDirs; call it only between
// entries.
func (c *dirCache) trim() {
	for len(c.order) > maxOpenDirs {
		old := c.order[0]
		c.order = c.order[1:]
		unix.Close(c.fds[old])
		delete(c.fds, old)
	}
}

func (c *dirCache) close() {
	for _, fd := range c.fds {
		unix.Close(fd)
	}
	clear(c.fds)
	c.order = nil
}

// copy writes size bytes of body to fd through one large buffer.
//
// Not copy_file_range: from a tar's 512-byte-aligned data it reaches the
// page cache in pieces that end up as small folios, and a binary cached in
// small folios is slower to exec (every page fault maps fewer pages, every
// exit unmaps more folios): stage1's binaries and the apps' are exec'd by
// every pod that uses the tree. Aligned 1 MiB writes give large folios on
// filesystems that have them (ext4, xfs). Measured on ext4: stage1's
// binary ran (exec to exit) in 1.39 ms written this way, 1.52 ms
// extracted with copy_file_range.
func (x *Extractor) copy(fd int, size int64, body io.Reader) error {
	var done int64
	if x.buf == nil {
		x.buf = make([]byte, 1<<20)
	}
	for done < size {
		n, err := body.Read(x.buf[:min(int64(len(x.buf)), size-done)])
		if n > 0 {
			if err := writeAll(fd, x.buf[:n]); err != nil {
				return err
			}
			done += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if done != size {
		return fmt.Errorf("short data (%d of %d bytes): %w", done, size, io.ErrUnexpectedEOF)
	}
	return nil
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return err
		}
		b = b[n:]
	}
	return nil
}
