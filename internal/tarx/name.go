// Package tarx extracts tar entries into a directory without ever writing
// outside it: every archive is treated as hostile. Names are cleaned and
// refused when absolute or climbing with "..". Every path is then walked one
// component at a time from a handle on the root directory, each step an
// openat with O_NOFOLLOW, and the last component is created relative to its
// parent's handle with O_EXCL|O_NOFOLLOW (or an *at call that does not
// follow). So no symlink, whether in the archive or already in the
// directory, is ever followed, and a hardlink can only name a file this
// extraction wrote. Walking by handles is also faster than resolving whole
// paths: directory handles are cached, most entries cost one syscall to
// create.
package tarx

import (
	"archive/tar"
	"fmt"
	"path"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// MaxNameLen bounds entry names and link targets; longer ones are refused
// rather than handed to the kernel.
const MaxNameLen = 4096

// CleanName returns the canonical relative form of an entry name ("./a//b/"
// becomes "a/b"; the archive root itself is "."). Absolute names, names with
// a ".." component and names with NUL bytes are refused: a legitimate image
// never needs them and they are how archives escape their root.
func CleanName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty entry name: %w", errdefs.ErrInvalid)
	}
	if len(name) > MaxNameLen {
		return "", fmt.Errorf("entry name longer than %d bytes: %w", MaxNameLen, errdefs.ErrInvalid)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("entry name %q contains NUL: %w", name, errdefs.ErrInvalid)
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("entry %q has an absolute path: %w", name, errdefs.ErrInvalid)
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("entry %q contains \"..\": %w", name, errdefs.ErrInvalid)
		}
	}
	return path.Clean(name), nil
}

// IsRegular reports whether a header describes regular file data
// (including the legacy and sparse spellings the tar reader expands).
func IsRegular(hdr *tar.Header) bool {
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		return true
	}
	return false
}

// contiguous reports whether the entry's data is stored as one run of bytes
// in the archive, so it can be copied straight from the archive file.
func contiguous(hdr *tar.Header) bool {
	if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeRegA {
		return false
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return false
		}
	}
	return true
}

// TypeName is a short word for an entry type, for error messages.
func TypeName(t byte) string {
	switch t {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		return "file"
	case tar.TypeDir:
		return "directory"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hardlink"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "fifo"
	}
	return fmt.Sprintf("type %q", t)
}
