package store

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"

	"github.com/saturnpod/saturn/internal/tarx"
)

// treeComparer checks a rendered tree against the entries its images say
// it holds. It reads the tree through an os.Root, so a tampered tree cannot
// make it read outside.
type treeComparer struct {
	root     *os.Root
	want     map[string]bool // entries and their ancestors
	problems []string
	a, b     []byte
}

func newTreeComparer(root *os.Root) *treeComparer {
	return &treeComparer{root: root, want: map[string]bool{".": true, renderedFile: true, "rootfs": true},
		a: make([]byte, 1<<20), b: make([]byte, 1<<20)}
}

func (c *treeComparer) problem(format string, args ...any) {
	if len(c.problems) < 100 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

func (c *treeComparer) layer(s *Store, l layer) error {
	f, err := os.Open(s.blobPath(l.id))
	if err != nil {
		return err
	}
	defer f.Close()
	r := tarx.NewFileReader(f)
	for {
		hdr, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name, err := tarx.CleanName(hdr.Name)
		if err != nil || !l.want(name, hdr) {
			continue
		}
		for p := name; p != "." && !c.want[p]; p = path.Dir(p) {
			c.want[p] = true
		}
		c.entry(name, hdr, r.Body(hdr))
	}
}

func (c *treeComparer) entry(name string, hdr *tar.Header, body io.Reader) {
	fi, err := c.root.Lstat(name)
	if err != nil {
		c.problem("%s: missing", name)
		return
	}
	if hdr.Typeflag == tar.TypeLink {
		// A hardlink's own header carries no reliable mode or owner.
		target, _ := tarx.CleanName(hdr.Linkname)
		if ti, err := c.root.Lstat(target); err != nil || !os.SameFile(fi, ti) {
			c.problem("%s: not a hardlink of %s", name, target)
		}
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	wantType := tarType(hdr)
	if gotType := modeType(fi.Mode()); gotType != wantType {
		c.problem("%s: is a %s, want a %s", name, tarx.TypeName(gotType), tarx.TypeName(wantType))
		return
	}
	if os.Geteuid() == 0 && (int(st.Uid) != hdr.Uid || int(st.Gid) != hdr.Gid) {
		c.problem("%s: owner %d:%d, want %d:%d", name, st.Uid, st.Gid, hdr.Uid, hdr.Gid)
	}
	if wantType != tar.TypeSymlink && uint32(st.Mode)&0o7777 != uint32(hdr.Mode)&0o7777 {
		c.problem("%s: mode %o, want %o", name, st.Mode&0o7777, hdr.Mode&0o7777)
	}
	switch wantType {
	case tar.TypeSymlink:
		if t, _ := c.root.Readlink(name); t != hdr.Linkname {
			c.problem("%s: symlink to %q, want %q", name, t, hdr.Linkname)
		}
	case tar.TypeReg:
		if fi.Size() != hdr.Size {
			c.problem("%s: size %d, want %d", name, fi.Size(), hdr.Size)
			return
		}
		if !fi.ModTime().Equal(hdr.ModTime) {
			c.problem("%s: mtime %s, want %s", name, fi.ModTime().UTC(), hdr.ModTime.UTC())
		}
		c.content(name, body)
	case tar.TypeChar, tar.TypeBlock:
		if uint64(st.Rdev) != uint64(mkdev(hdr.Devmajor, hdr.Devminor)) {
			c.problem("%s: device number differs", name)
		}
	}
}

func (c *treeComparer) content(name string, body io.Reader) {
	f, err := c.root.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		c.problem("%s: %v", name, err)
		return
	}
	defer f.Close()
	for {
		n, err1 := io.ReadFull(body, c.a)
		m, err2 := io.ReadFull(f, c.b[:max(n, 1)])
		if n == 0 && m == 0 {
			return
		}
		if n != m || !bytes.Equal(c.a[:n], c.b[:m]) {
			c.problem("%s: content differs", name)
			return
		}
		if err1 != nil || err2 != nil {
			return
		}
	}
}

// extra reports entries in the tree that no image provides.
func (c *treeComparer) extra() {
	fs.WalkDir(c.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			c.problem("%s: %v", p, err)
			return nil
		}
		if !c.want[p] {
			c.problem("%s: not in any image", p)
			if d.IsDir() {
				return fs.SkipDir
			}
		}
		return nil
	})
}

func tarType(hdr *tar.Header) byte {
	if tarx.IsRegular(hdr) || hdr.Typeflag == tar.TypeLink {
		return tar.TypeReg
	}
	return hdr.Typeflag
}

func modeType(m fs.FileMode) byte {
	switch {
	case m.IsRegular():
		return tar.TypeReg
	case m.IsDir():
		return tar.TypeDir
	case m&fs.ModeSymlink != 0:
		return tar.TypeSymlink
	case m&fs.ModeNamedPipe != 0:
		return tar.TypeFifo
	case m&fs.ModeCharDevice != 0:
		return tar.TypeChar
	case m&fs.ModeDevice != 0:
		return tar.TypeBlock
	}
	return '?'
}

func mkdev(major, minor int64) uint64 {
	return uint64(major&0xfff)<<8 | uint64(minor&0xff) | uint64(minor&^0xff)<<12 | uint64(major&^0xfff)<<32
}
