// Package appcspec is stage1's one boundary with appc's types. It reads
// the pod manifest that stage0 wrote and resolves it into stage1's plain
// types: the whole pod as the pod init runs it (a podspec.Pod), and the
// pieces that stage1-fly takes one by one (isolators, volumes, an app's
// process).
//
// The pod init starts on every pod's way to its apps, and links none of
// appc's packages: their package inits alone cost about 0.4 ms per process
// start, and the first decoding of appc's types about 0.3 ms more. Stage1
// init, which links them for its networks anyway, resolves the manifest
// beside its own set-up and hands the result to the pod init
// (podspec.Send).
package appcspec

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/appc/spec/schema"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// ReadManifest reads and validates the pod manifest in the pod dir.
func ReadManifest() (*schema.PodManifest, error) {
	b, err := os.ReadFile(podcfg.ManifestFile)
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
