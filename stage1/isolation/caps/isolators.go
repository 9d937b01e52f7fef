package caps

import (
	"fmt"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// FromIsolators computes an app's capability set from its isolators:
// os/linux/capabilities-retain-set gives exactly the listed capabilities,
// os/linux/capabilities-remove-set takes the listed ones out of Default, and
// with neither the app gets Default. The two are exclusive, as appc says.
func FromIsolators(is types.Isolators) (Set, error) {
	retain := is.GetByName(types.LinuxCapabilitiesRetainSetName)
	remove := is.GetByName(types.LinuxCapabilitiesRevokeSetName)
	if retain != nil && remove != nil {
		return 0, fmt.Errorf("both %s and %s: %w", types.LinuxCapabilitiesRetainSetName,
			types.LinuxCapabilitiesRevokeSetName, errdefs.ErrInvalid)
	}
	switch {
	case retain != nil:
		listed, err := isolatorCaps(retain)
		return listed, err
	case remove != nil:
		listed, err := isolatorCaps(remove)
		return Default &^ listed, err
	}
	return Default, nil
}

// isolatorCaps reads the set out of a parsed capability isolator. An isolator
// built by hand (not unmarshalled) has no value: an error, not a panic.
func isolatorCaps(iso *types.Isolator) (Set, error) {
	v, ok := iso.Value().(types.LinuxCapabilitiesSet)
	if !ok {
		return 0, fmt.Errorf("isolator %s has no capability set: %w", iso.Name, errdefs.ErrInvalid)
	}
	var s Set
	for _, name := range v.Set() {
		c, err := Parse(string(name))
		if err != nil {
			return 0, fmt.Errorf("isolator %s: %w", iso.Name, err)
		}
		s |= Of(c)
	}
	return s, nil
}
