package store

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/tarx"
)

// aciChecker applies the ACI layout rules to the entries of an archive, in
// order. An archive that passes has exactly one manifest, everything else
// under rootfs/, no duplicate names, no entry below a non-directory (so no
// write through a symlink), and hardlinks only to earlier regular files.
type aciChecker struct {
	limits   Limits
	root     bool            // devices allowed
	types    map[string]byte // entries seen, by clean name
	parents  map[string]bool // names that earlier entries are below
	manifest []byte
	haveMf   bool
}

func newACIChecker(l Limits) *aciChecker {
	return &aciChecker{limits: l, root: os.Geteuid() == 0, types: map[string]byte{}, parents: map[string]bool{}}
}

// check validates one header and, for the manifest, reads its data from r.
// It returns the clean name.
func (c *aciChecker) check(hdr *tar.Header, r io.Reader) (string, error) {
	if len(c.types) >= c.limits.MaxEntries {
		return "", fmt.Errorf("more than %d entries: %w", c.limits.MaxEntries, errdefs.ErrInvalid)
	}
	name, err := tarx.CleanName(hdr.Name)
	if err != nil {
		return "", err
	}
	t := hdr.Typeflag
	if tarx.IsRegular(hdr) {
		t = tar.TypeReg
	}
	switch {
	case name == ".":
		// "tar -C dir ." archives start with "./": harmless, not extracted.
		if t != tar.TypeDir {
			return "", fmt.Errorf("archive root entry is a %s: %w", tarx.TypeName(hdr.Typeflag), errdefs.ErrInvalid)
		}
	case name == "manifest":
		if c.haveMf {
			return "", fmt.Errorf("second manifest entry: %w", errdefs.ErrInvalid)
		}
		if t != tar.TypeReg {
			return "", fmt.Errorf("manifest is a %s, not a file: %w", tarx.TypeName(hdr.Typeflag), errdefs.ErrInvalid)
		}
		if hdr.Size > c.limits.MaxManifestSize {
			return "", fmt.Errorf("manifest larger than %d bytes: %w", c.limits.MaxManifestSize, errdefs.ErrInvalid)
		}
		b, err := io.ReadAll(io.LimitReader(r, hdr.Size))
		if err != nil {
			return "", fmt.Errorf("reading manifest: %w", err)
		}
		c.manifest, c.haveMf = b, true
	case name == "rootfs":
		if t != tar.TypeDir {
			return "", fmt.Errorf("rootfs is a %s, not a directory: %w", tarx.TypeName(hdr.Typeflag), errdefs.ErrInvalid)
		}
	case strings.HasPrefix(name, "rootfs/"):
	default:
		return "", fmt.Errorf("entry %q is outside manifest and rootfs/: %w", hdr.Name, errdefs.ErrInvalid)
	}
	if _, dup := c.types[name]; dup {
		return "", fmt.Errorf("duplicate entry %q: %w", name, errdefs.ErrInvalid)
	}
	if err := c.checkType(name, t, hdr); err != nil {
		return "", err
	}
	if t != tar.TypeDir && c.parents[name] {
		return "", fmt.Errorf("entry %q is a %s but earlier entries are below it: %w", name, tarx.TypeName(hdr.Typeflag), errdefs.ErrInvalid)
	}
	for p := path.Dir(name); p != "."; p = path.Dir(p) {
		if pt, ok := c.types[p]; ok && pt != tar.TypeDir {
			return "", fmt.Errorf("entry %q is below %q, a %s: %w", name, p, tarx.TypeName(pt), errdefs.ErrInvalid)
		}
		if c.parents[p] {
			break // p's ancestors were checked when p was first a parent
		}
		c.parents[p] = true
	}
	c.types[name] = t
	return name, nil
}

func (c *aciChecker) checkType(name string, t byte, hdr *tar.Header) error {
	switch t {
	case tar.TypeReg, tar.TypeDir, tar.TypeFifo:
	case tar.TypeSymlink:
		if hdr.Linkname == "" || len(hdr.Linkname) > tarx.MaxNameLen || strings.IndexByte(hdr.Linkname, 0) >= 0 {
			return fmt.Errorf("symlink %q has a bad target: %w", name, errdefs.ErrInvalid)
		}
	case tar.TypeLink:
		target, err := tarx.CleanName(hdr.Linkname)
		if err != nil {
			return fmt.Errorf("hardlink %q: %w", name, err)
		}
		if c.types[target] != tar.TypeReg || !strings.HasPrefix(target, "rootfs/") {
			return fmt.Errorf("hardlink %q points to %q, which is not an earlier file in rootfs/: %w", name, hdr.Linkname, errdefs.ErrInvalid)
		}
	case tar.TypeChar, tar.TypeBlock:
		if !c.root {
			return fmt.Errorf("device node %q: only root may import device nodes: %w", name, errdefs.ErrInvalid)
		}
	default:
		return fmt.Errorf("entry %q has unsupported type %s: %w", name, tarx.TypeName(hdr.Typeflag), errdefs.ErrInvalid)
	}
	return nil
}

// finish checks what can only be checked at the end of the archive.
func (c *aciChecker) finish() error {
	if !c.haveMf {
		return fmt.Errorf("no manifest entry: %w", errdefs.ErrInvalid)
	}
	return nil
}
