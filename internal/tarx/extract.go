package tarx

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/saturnpod/saturn/internal/errdefs"
	"golang.org/x/sys/unix"
)

// Options say which parts of an entry's metadata Extractor applies.
type Options struct {
	// Owner chowns every entry to the uid/gid of its header (needs root).
	Owner bool
	// Devices allows character and block device nodes (needs root);
	// without it they are refused.
	Devices bool
}

// Extractor writes tar entries under one directory. Use Add for each entry,
// then Close, which sets directory times last (writing into a directory
// changes its mtime). An Extractor is not safe for concurrent use.
type Extractor struct {
	opts  Options
	dirs  dirCache
	files map[string]bool // regular files written, for hardlink targets
	times []dirTime
	buf   []byte
}

type dirTime struct {
	name  string
	mtime unix.Timespec
}

// New opens an Extractor writing under dir, which must exist.
func New(dir string, o Options) (*Extractor, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("extract into %s: %w", dir, err)
	}
	return &Extractor{opts: o, dirs: newDirCache(fd), files: map[string]bool{}}, nil
}

// Add creates the entry hdr describes at name (a path relative to the
// directory, cleaned again here) with data from body for regular files.
// Existing entries are never overwritten, except that a directory entry
// updates an existing directory.
// A hardlink's hdr.Linkname names its target the way name names the entry
// (relative to the directory, after any renaming the caller does).
func (x *Extractor) Add(name string, hdr *tar.Header, body io.Reader) error {
	name, err := CleanName(name)
	if err != nil {
		return err
	}
	if err := x.add(name, hdr, body); err != nil {
		return fmt.Errorf("extract %s: %w", name, err)
	}
	return nil
}

func (x *Extractor) add(name string, hdr *tar.Header, body io.Reader) error {
	x.dirs.trim()
	if hdr.Typeflag == tar.TypeDir {
		fd, err := x.mkdir(name)
		if err != nil {
			return err
		}
		return x.dirMeta(fd, name, hdr)
	}
	if name == "." {
		return fmt.Errorf("the root must be a directory: %w", errdefs.ErrInvalid)
	}
	dfd, err := x.dirs.get(path.Dir(name))
	if err != nil {
		return err
	}
	base := path.Base(name)
	switch {
	case IsRegular(hdr):
		if err := x.file(dfd, base, hdr, body); err != nil {
			return err
		}
		x.files[name] = true
		return nil
	case hdr.Typeflag == tar.TypeSymlink:
		if hdr.Linkname == "" || len(hdr.Linkname) > MaxNameLen {
			return fmt.Errorf("bad symlink target: %w", errdefs.ErrInvalid)
		}
		if err := unix.Symlinkat(hdr.Linkname, dfd, base); err != nil {
			return err
		}
		return x.meta(dfd, base, hdr, false)
	case hdr.Typeflag == tar.TypeLink:
		target, err := CleanName(hdr.Linkname)
		if err != nil {
			return err
		}
		// Only a regular file this Extractor wrote may be a target: linking
		// to anything else could reach a file the archive does not own.
		if !x.files[target] {
			return fmt.Errorf("hardlink target %q is not a file extracted before: %w", target, errdefs.ErrInvalid)
		}
		tfd, err := x.dirs.get(path.Dir(target))
		if err != nil {
			return err
		}
		if err := unix.Linkat(tfd, path.Base(target), dfd, base, 0); err != nil {
			return err
		}
		x.files[name] = true
		return nil
	case hdr.Typeflag == tar.TypeChar || hdr.Typeflag == tar.TypeBlock || hdr.Typeflag == tar.TypeFifo:
		kind := uint32(unix.S_IFIFO)
		switch hdr.Typeflag {
		case tar.TypeChar:
			kind = unix.S_IFCHR
		case tar.TypeBlock:
			kind = unix.S_IFBLK
		}
		if kind != unix.S_IFIFO && !x.opts.Devices {
			return fmt.Errorf("device nodes are only created by root: %w", errdefs.ErrInvalid)
		}
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(dfd, base, kind|0o600, int(dev)); err != nil {
			return err
		}
		return x.meta(dfd, base, hdr, true)
	}
	return fmt.Errorf("unsupported entry type %s: %w", TypeName(hdr.Typeflag), errdefs.ErrInvalid)
}

// file creates a regular file and writes its data, owner, mode and mtime
// through its descriptor.
func (x *Extractor) file(dfd int, base string, hdr *tar.Header, body io.Reader) error {
	fd, err := unix.Openat(dfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := x.copy(fd, hdr.Size, body); err != nil {
		return err
	}
	if x.opts.Owner {
		if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	// After chown, which clears set-id bits.
	if err := unix.Fchmod(fd, uint32(hdr.Mode)&0o7777); err != nil {
		return err
	}
	ts := mtime(hdr)
	return unix.UtimesNanoAt(fd, "", []unix.Timespec{ts, ts}, unix.AT_EMPTY_PATH)
}

// meta applies owner, mode (unless skipped, as for symlinks) and mtime to
// base in dfd without following a symlink.
func (x *Extractor) meta(dfd int, base string, hdr *tar.Header, mode bool) error {
	if x.opts.Owner {
		if err := unix.Fchownat(dfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	if mode {
		// Fchmodat cannot refuse symlinks, but base was just created by
		// mknodat, so it is not one.
		if err := unix.Fchmodat(dfd, base, uint32(hdr.Mode)&0o7777, 0); err != nil {
			return err
		}
	}
	ts := mtime(hdr)
	return unix.UtimesNanoAt(dfd, base, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
}

// dirMeta sets a directory's owner and mode now and its mtime at Close.
func (x *Extractor) dirMeta(fd int, name string, hdr *tar.Header) error {
	if x.opts.Owner {
		if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	if err := unix.Fchmod(fd, uint32(hdr.Mode)&0o7777); err != nil {
		return err
	}
	x.times = append(x.times, dirTime{name: name, mtime: mtime(hdr)})
	return nil
}

func mtime(hdr *tar.Header) unix.Timespec { return unix.NsecToTimespec(hdr.ModTime.UnixNano()) }

// Close sets the directory mtimes recorded by Add and releases every handle.
func (x *Extractor) Close() error {
	var errs []error
	for _, t := range x.times {
		x.dirs.trim()
		fd, err := x.dirs.get(t.name)
		if err == nil {
			err = unix.UtimesNanoAt(fd, "", []unix.Timespec{t.mtime, t.mtime}, unix.AT_EMPTY_PATH)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("extract %s: %w", t.name, err))
			break
		}
	}
	x.times = nil
	x.dirs.close()
	return errors.Join(errs...)
}
