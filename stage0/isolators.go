package stage0

import (
	"fmt"
	"strings"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// applyIsolators turns --memory, --cpu, --caps-retain, --caps-remove and
// --seccomp into appc isolators that replace the image's of the same kind.
func applyIsolators(a *App, is *types.Isolators) error {
	bad := func(flag, v string, err error) error {
		return fmt.Errorf("--%s=%s: %v: %w", flag, v, err, errdefs.ErrInvalid)
	}
	if a.Memory != "" {
		m, err := types.NewResourceMemoryIsolator(a.Memory, a.Memory)
		if err != nil {
			return bad("memory", a.Memory, err)
		}
		is.ReplaceIsolatorsByName(m.AsIsolator(), []types.ACIdentifier{types.ResourceMemoryName})
	}
	if a.CPU != "" {
		c, err := types.NewResourceCPUIsolator(a.CPU, a.CPU)
		if err != nil {
			return bad("cpu", a.CPU, err)
		}
		is.ReplaceIsolatorsByName(c.AsIsolator(), []types.ACIdentifier{types.ResourceCPUName})
	}
	if a.CapsRetain != "" && a.CapsRemove != "" {
		return fmt.Errorf("--caps-retain and --caps-remove on one app: %w", errdefs.ErrInvalid)
	}
	capNames := []types.ACIdentifier{types.LinuxCapabilitiesRetainSetName, types.LinuxCapabilitiesRevokeSetName}
	if a.CapsRetain != "" {
		s, err := types.NewLinuxCapabilitiesRetainSet(splitList(a.CapsRetain)...)
		if err != nil {
			return bad("caps-retain", a.CapsRetain, err)
		}
		iso, err := s.AsIsolator()
		if err != nil {
			return bad("caps-retain", a.CapsRetain, err)
		}
		is.ReplaceIsolatorsByName(*iso, capNames)
	}
	if a.CapsRemove != "" {
		s, err := types.NewLinuxCapabilitiesRevokeSet(splitList(a.CapsRemove)...)
		if err != nil {
			return bad("caps-remove", a.CapsRemove, err)
		}
		iso, err := s.AsIsolator()
		if err != nil {
			return bad("caps-remove", a.CapsRemove, err)
		}
		is.ReplaceIsolatorsByName(*iso, capNames)
	}
	if a.Seccomp != "" {
		iso, err := seccompIsolator(a.Seccomp)
		if err != nil {
			return bad("seccomp", a.Seccomp, err)
		}
		is.ReplaceIsolatorsByName(*iso, []types.ACIdentifier{types.LinuxSeccompRetainSetName, types.LinuxSeccompRemoveSetName})
	}
	return nil
}

// seccompIsolator parses rkt's --seccomp syntax: mode=retain|remove,
// optional errno=NAME, then syscall names or @groups.
func seccompIsolator(spec string) (*types.Isolator, error) {
	var mode, errno string
	var calls []string
	for _, f := range splitList(spec) {
		switch k, v, _ := strings.Cut(f, "="); k {
		case "mode":
			mode = v
		case "errno":
			errno = v
		default:
			calls = append(calls, f)
		}
	}
	switch mode {
	case "retain":
		s, err := types.NewLinuxSeccompRetainSet(errno, calls...)
		if err != nil {
			return nil, err
		}
		return s.AsIsolator()
	case "remove":
		s, err := types.NewLinuxSeccompRemoveSet(errno, calls...)
		if err != nil {
			return nil, err
		}
		return s.AsIsolator()
	}
	return nil, fmt.Errorf("mode must be retain or remove")
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
