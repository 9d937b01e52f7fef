package caps

import "github.com/appc/spec/schema/types"

// IsolatorCaps is the set a capability isolator lists. stage1-fly takes a
// remove-set out of the caller's capabilities, not out of Default, so it
// needs the listed set itself.
func IsolatorCaps(iso *types.Isolator) (Set, error) { return isolatorCaps(iso) }
