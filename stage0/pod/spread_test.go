package pod

import (
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/topdir"
)

func TestEmbryoSpreadsPods(t *testing.T) {
	ps := newPods(t)
	on, err := topdir.Marked(filepath.Join(ps.Root(), DirEmbryo))
	if err != nil {
		t.Skipf("no inode flags here: %v", err)
	}
	if !on {
		t.Error("embryo/ is not marked: pod dirs are not spread")
	}
}
