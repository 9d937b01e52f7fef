package seccomp

import (
	"fmt"
	"runtime"
	"sort"

	"github.com/saturnpod/saturn/internal/errdefs"
)

//go:generate go run ./internal/mktables

// abi is one system call ABI: its audit architecture (what seccomp_data.arch
// holds) and its syscall table, sorted by name for binary search. The
// tables are constant data (tables_gen.go): nothing is built at init.
type abi struct {
	name  string
	audit uint32
	names []string
	nums  []uint32
}

// lookup returns the number of syscall name in this ABI.
func (a *abi) lookup(name string) (uint32, bool) {
	i := sort.SearchStrings(a.names, name)
	if i < len(a.names) && a.names[i] == name {
		return a.nums[i], true
	}
	return 0, false
}

// abis returns the native ABI and its compat one for this build's GOARCH.
func abis() ([]*abi, error) {
	switch runtime.GOARCH {
	case "amd64":
		return []*abi{&abiX86_64, &abiI386}, nil
	case "arm64":
		return []*abi{&abiAARCH64, &abiARM}, nil
	case "386":
		return []*abi{&abiI386}, nil
	case "arm":
		return []*abi{&abiARM}, nil
	}
	return nil, fmt.Errorf("seccomp on %s: %w", runtime.GOARCH, errdefs.ErrInvalid)
}
