package podinit

import (
	"os"
	"path/filepath"

	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// makeEmptyVolumes creates the pod's empty volumes once, before any app
// starts, so that apps sharing one find the same directory.
func (p *pod) makeEmptyVolumes() error {
	for _, v := range p.pm.Volumes {
		if v.Kind != "empty" {
			continue
		}
		dir := podstate.VolumeDir(v.Name.String())
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return err
		}
		if err := approot.MakeEmpty(dir, v); err != nil {
			return err
		}
	}
	return nil
}
