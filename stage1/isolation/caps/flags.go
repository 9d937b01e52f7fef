package caps

import (
	"fmt"
	"strings"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// FlagIsolator turns a --caps-retain (retain true) or --caps-remove value,
// a comma-separated list of names as Parse reads them, into the appc
// isolator stage0 writes into the pod manifest for the app.
func FlagIsolator(retain bool, list string) (*types.Isolator, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		if strings.TrimSpace(n) == "" {
			continue
		}
		c, err := Parse(n)
		if err != nil {
			return nil, err
		}
		names = append(names, c.String())
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("empty capability list: %w", errdefs.ErrInvalid)
	}
	if retain {
		v, err := types.NewLinuxCapabilitiesRetainSet(names...)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", err, errdefs.ErrInvalid)
		}
		return v.AsIsolator()
	}
	v, err := types.NewLinuxCapabilitiesRevokeSet(names...)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, errdefs.ErrInvalid)
	}
	return v.AsIsolator()
}
