// Package aci writes ACI files from a directory: the `saturn image build`
// behind the tests, the demo and the stage1 images. The output is a
// deterministic function of the directory's names, types, contents, modes
// and owners: entries are sorted, times fixed, user and group names left
// out, so the same input always gives the same bytes (and image ID).
package aci

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/fsutil"
)

// ModTime is the time of every entry of a built ACI.
func ModTime() time.Time { return time.Unix(0, 0).UTC() }

// BuildFile writes an ACI of manifest and the tree at rootfs to out,
// replacing it atomically.
func BuildFile(rootfs string, manifest []byte, out string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), fsutil.TempPrefix+filepath.Base(out)+"-")
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	var skip inode
	if fi, err := tmp.Stat(); err == nil {
		st := fi.Sys().(*syscall.Stat_t)
		skip = inode{uint64(st.Dev), uint64(st.Ino)}
	}
	err = write(bw, rootfs, manifest, skip)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("build %s: %w", out, err)
	}
	return os.Rename(tmp.Name(), out)
}

// Write writes the ACI as an uncompressed tar: "manifest", "rootfs", then
// the tree in lexical order of each directory.
func Write(w io.Writer, rootfs string, manifest []byte) error {
	return write(w, rootfs, manifest, inode{})
}

// write is Write leaving out the file skip (the output being written, when
// OUT.aci is inside ROOTFS_DIR).
func write(w io.Writer, rootfs string, manifest []byte, skip inode) error {
	fi, err := os.Stat(rootfs)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: %w", rootfs, errdefs.ErrInvalid)
	}
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Name: "manifest", Typeflag: tar.TypeReg, Mode: 0o644,
		Size: int64(len(manifest)), ModTime: ModTime(), Format: tar.FormatPAX}); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	b := &builder{tw: tw, links: map[inode]string{}, buf: make([]byte, 1<<20), skip: skip}
	err = filepath.WalkDir(rootfs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(rootfs, p)
		if err != nil {
			return err
		}
		name := "rootfs"
		if rel != "." {
			name = "rootfs/" + filepath.ToSlash(rel)
		}
		return b.add(p, name)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

type inode struct{ dev, ino uint64 }

type builder struct {
	tw    *tar.Writer
	links map[inode]string
	buf   []byte
	skip  inode
}

func (b *builder) add(p, name string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	if (inode{uint64(st.Dev), uint64(st.Ino)}) == b.skip {
		return nil
	}
	hdr := &tar.Header{Name: name, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: ModTime(), Format: tar.FormatPAX}
	m := fi.Mode()
	switch {
	case m.IsDir():
		hdr.Typeflag = tar.TypeDir
	case m.IsRegular():
		if st.Nlink > 1 {
			key := inode{uint64(st.Dev), uint64(st.Ino)}
			if first, ok := b.links[key]; ok {
				hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
				return b.tw.WriteHeader(hdr)
			}
			b.links[key] = name
		}
		hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
	case m&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case m&fs.ModeNamedPipe != 0:
		hdr.Typeflag = tar.TypeFifo
	case m&fs.ModeDevice != 0:
		hdr.Typeflag = tar.TypeBlock
		if m&fs.ModeCharDevice != 0 {
			hdr.Typeflag = tar.TypeChar
		}
		rdev := uint64(st.Rdev)
		hdr.Devmajor = int64((rdev>>8)&0xfff | (rdev>>32)&^0xfff)
		hdr.Devminor = int64(rdev&0xff | (rdev>>12)&^0xff)
	default:
		return fmt.Errorf("%s: cannot put a %s in an image: %w", p, m.Type(), errdefs.ErrInvalid)
	}
	if err := b.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.CopyBuffer(b.tw, io.LimitReader(f, hdr.Size), b.buf)
	if err == nil && n != hdr.Size {
		err = fmt.Errorf("%s changed size while building", p)
	}
	return err
}
