// Package podcfg is what every stage1 entrypoint knows about the pod: the
// pod manifest stage0 wrote (apps already merged with their overrides) and
// the run flags of the stage1 interface.
package podcfg

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/appc/spec/schema"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// ManifestFile is the pod manifest, relative to the pod dir.
const ManifestFile = "pod"

// ReadManifest reads and validates the pod manifest in the pod dir.
func ReadManifest() (*schema.PodManifest, error) {
	b, err := os.ReadFile(ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("read pod manifest: %w", err)
	}
	var pm schema.PodManifest
	if err := json.Unmarshal(b, &pm); err != nil {
		return nil, fmt.Errorf("pod manifest: %w: %w", err, errdefs.ErrInvalid)
	}
	for _, ra := range pm.Apps {
		if ra.App == nil || len(ra.App.Exec) == 0 {
			return nil, fmt.Errorf("app %s has no exec: %w", ra.Name, errdefs.ErrInvalid)
		}
	}
	if len(pm.Apps) == 0 {
		return nil, fmt.Errorf("pod has no apps: %w", errdefs.ErrInvalid)
	}
	return &pm, nil
}
