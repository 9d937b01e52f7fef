package tarx

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"time"

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

// maxOpenDirs bounds the directory handles Extractor keeps open; archives
// list a directory's entries together, so a few suffice.
const maxOpenDirs = 32

// Extractor writes tar entries under one directory. Use Add for each entry,
// then Close, which sets directory times last (writing into a directory
// changes its mtime).
type Extractor struct {
	root  *os.Root
	opts  Options
	dirs  map[string]*os.File
	order []string
	files map[string]bool // regular files written, for hardlink targets
	times []dirTime
	buf   []byte
}

type dirTime struct {
	name  string
	mtime time.Time
}

// New opens an Extractor writing under dir, which must exist.
func New(dir string, o Options) (*Extractor, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return &Extractor{root: root, opts: o, dirs: map[string]*os.File{}, files: map[string]bool{}}, nil
}

// Add creates the entry hdr describes at name (a path relative to the
// directory, cleaned again here) with data from body for regular files. A
// *Section body is copied in the kernel. Existing entries are never
// overwritten, except that a directory entry updates an existing directory.
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
	if name == "." {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("the root must be a directory: %w", errdefs.ErrInvalid)
		}
		return x.dirMeta(".", hdr)
	}
	dfd, err := x.dir(path.Dir(name))
	if err != nil {
		return err
	}
	base := path.Base(name)
	mode := uint32(hdr.Mode) & 0o7777
	switch {
	case hdr.Typeflag == tar.TypeDir:
		err := unix.Mkdirat(dfd, base, 0o700)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return err
		}
		if err == nil || x.isDir(name) {
			return x.dirMeta(name, hdr)
		}
		return fmt.Errorf("exists and is not a directory: %w", errdefs.ErrInvalid)
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
		return x.meta(dfd, base, hdr, -1)
	case hdr.Typeflag == tar.TypeLink:
		return x.link(dfd, base, hdr)
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
		return x.meta(dfd, base, hdr, int64(mode))
	}
	return fmt.Errorf("unsupported entry type %s: %w", TypeName(hdr.Typeflag), errdefs.ErrInvalid)
}

func (x *Extractor) file(dfd int, base string, hdr *tar.Header, body io.Reader) error {
	fd, err := unix.Openat(dfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	defer f.Close()
	if err := x.copy(f, hdr.Size, body); err != nil {
		return err
	}
	if x.opts.Owner {
		if err := f.Chown(hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	// After chown, which clears set-id bits.
	if err := unix.Fchmod(fd, uint32(hdr.Mode)&0o7777); err != nil {
		return err
	}
	ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	return unix.UtimesNanoAt(dfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// meta applies owner, mode (unless mode < 0, as for symlinks) and mtime to
// base in dfd without following a symlink.
func (x *Extractor) meta(dfd int, base string, hdr *tar.Header, mode int64) error {
	if x.opts.Owner {
		if err := unix.Fchownat(dfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	if mode >= 0 {
		if err := unix.Fchmodat(dfd, base, uint32(mode), 0); err != nil {
			return err
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	return unix.UtimesNanoAt(dfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// dirMeta sets a directory's owner and mode now and its mtime at Close.
func (x *Extractor) dirMeta(name string, hdr *tar.Header) error {
	f, err := x.openDir(name)
	if err != nil {
		return err
	}
	if x.opts.Owner {
		if err := f.Chown(hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	if err := unix.Fchmod(int(f.Fd()), uint32(hdr.Mode)&0o7777); err != nil {
		return err
	}
	x.times = append(x.times, dirTime{name: name, mtime: hdr.ModTime})
	return nil
}

func (x *Extractor) link(dfd int, base string, hdr *tar.Header) error {
	target, err := CleanName(hdr.Linkname)
	if err != nil {
		return err
	}
	// Only a regular file this Extractor wrote may be a target: linking to
	// anything else could reach a file the archive does not own.
	if !x.files[target] {
		return fmt.Errorf("hardlink target %q is not a file extracted before: %w", target, errdefs.ErrInvalid)
	}
	tfd, err := x.dir(path.Dir(target))
	if err != nil {
		return err
	}
	return unix.Linkat(tfd, path.Base(target), dfd, base, 0)
}

// isDir reports whether name exists as a directory (not through a symlink).
func (x *Extractor) isDir(name string) bool {
	fi, err := x.root.Lstat(name)
	return err == nil && fi.IsDir()
}
