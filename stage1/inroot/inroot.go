// Package inroot opens and creates paths inside an app's root filesystem,
// resolving every symlink and ".." as if the root were "/" (openat2 with
// RESOLVE_IN_ROOT), so a hostile image can never make stage1 touch a host
// path. Callers mount onto the returned O_PATH fds through /proc/self/fd.
package inroot

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// maxLinks bounds how many dangling symlinks MkdirAll follows by hand;
// maxRetries how often a lookup that raced a rename is tried again (a
// process renaming in a shared volume must not hold up stage1 forever).
const (
	maxLinks   = 40
	maxRetries = 64
)

// Resolve flags. Strict refuses any symlink on the path: stage1 uses it for
// the kernel filesystems (/proc, /sys, /dev) whose place an image must not
// move.
const (
	Follow = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS
	Strict = Follow | unix.RESOLVE_NO_SYMLINKS
)

// FdPath names an fd so that mount(2) can use it as a source or target.
func FdPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// Open opens p inside root. O_CLOEXEC is always added.
func Open(root int, p string, flags int, mode uint32, resolve uint64) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Mode: uint64(mode), Resolve: resolve}
	var err error
	for range maxRetries {
		var fd int
		fd, err = unix.Openat2(root, rel(p), &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue // openat2 asks for a retry when a rename raced it
		}
		if err != nil {
			return -1, &pathError{"open", p, err}
		}
		return fd, nil
	}
	return -1, &pathError{"open", p, err}
}

// MkdirAll makes directory p and its parents inside root and returns an
// O_PATH fd of it. A dangling symlink on the way is followed (inside root)
// and its target created.
func MkdirAll(root int, p string, mode uint32, resolve uint64) (int, error) {
	return mkdirAll(root, p, mode, resolve, 0)
}

func mkdirAll(root int, p string, mode uint32, resolve uint64, links int) (int, error) {
	fd, err := Open(root, p, unix.O_PATH|unix.O_DIRECTORY, 0, resolve)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	parent, base := path.Split(clean(p))
	if base == "" {
		return -1, &pathError{"mkdir", p, unix.ENOENT}
	}
	pfd, err := mkdirAll(root, parent, mode, resolve, links)
	if err != nil {
		return -1, err
	}
	defer unix.Close(pfd)
	err = unix.Mkdirat(pfd, base, mode)
	if errors.Is(err, unix.EEXIST) {
		// base appeared, or is a symlink to something missing: follow it.
		target, lerr := readlinkat(pfd, base)
		if lerr != nil {
			return Open(root, p, unix.O_PATH|unix.O_DIRECTORY, 0, resolve)
		}
		if resolve&unix.RESOLVE_NO_SYMLINKS != 0 || links >= maxLinks {
			return -1, &pathError{"mkdir", p, unix.ELOOP}
		}
		if !path.IsAbs(target) {
			target = path.Join(parent, target)
		}
		return mkdirAll(root, target, mode, resolve, links+1)
	}
	if err != nil {
		return -1, &pathError{"mkdir", p, err}
	}
	return Open(root, p, unix.O_PATH|unix.O_DIRECTORY, 0, resolve)
}

// CreateFile makes sure a file exists at p inside root (creating its parent
// dirs) and returns an O_PATH fd of it: a bind mount target for a file.
func CreateFile(root int, p string, resolve uint64) (int, error) {
	parent, base := path.Split(clean(p))
	if base == "" {
		return -1, &pathError{"create", p, unix.EISDIR}
	}
	pfd, err := MkdirAll(root, parent, 0o755, resolve)
	if err != nil {
		return -1, err
	}
	unix.Close(pfd)
	fd, err := Open(root, p, unix.O_RDONLY|unix.O_CREAT, 0o644, resolve)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fd)
	return Open(root, p, unix.O_PATH, 0, resolve)
}

// WriteFile writes data to p inside root, creating it (and its parent dirs)
// or truncating it. With exclusive, an existing file (or symlink) is left
// alone: it reports whether it wrote.
func WriteFile(root int, p string, data []byte, exclusive bool) (bool, error) {
	pfd, err := MkdirAll(root, path.Dir(clean(p)), 0o755, Follow)
	if err != nil {
		return false, err
	}
	unix.Close(pfd)
	flags := unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC
	if exclusive {
		flags |= unix.O_EXCL | unix.O_NOFOLLOW
	}
	fd, err := Open(root, p, flags, 0o644, Follow)
	if exclusive && (errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ELOOP)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err != nil {
			return false, &pathError{"write", p, err}
		}
		data = data[n:]
	}
	return true, nil
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func clean(p string) string { return path.Clean("/" + p) }

// rel makes p relative to the root fd ("." for the root itself).
func rel(p string) string {
	r := strings.TrimPrefix(clean(p), "/")
	if r == "" {
		return "."
	}
	return r
}

type pathError struct {
	op, path string
	err      error
}

func (e *pathError) Error() string { return fmt.Sprintf("%s %s in app root: %v", e.op, e.path, e.err) }

func (e *pathError) Unwrap() []error {
	if errors.Is(e.err, unix.ELOOP) || errors.Is(e.err, unix.EXDEV) {
		return []error{e.err, errdefs.ErrInvalid}
	}
	return []error{e.err}
}
