package appcspec

import (
	"fmt"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// Isolation builds an app's isolation.Config from its isolators (the app's
// image manifest isolators as overridden in the pod manifest):
// capabilities, os/linux/no-new-privileges, seccomp and
// os/linux/oom-score-adj. The caller fills UID, GID and Groups, resolved in
// the app's image, and Rlimits.
func Isolation(is types.Isolators, insecure isolation.Insecure) (isolation.Config, error) {
	var c isolation.Config
	var err error
	c.Bounding = caps.All
	if !insecure.Capabilities {
		if c.Bounding, err = Caps(is); err != nil {
			return isolation.Config{}, err
		}
	}
	if !insecure.Seccomp {
		s, err := Seccomp(is)
		if err != nil {
			return isolation.Config{}, err
		}
		c.Seccomp = &s
	}
	if iso := is.GetByName(types.LinuxNoNewPrivilegesName); iso != nil {
		v, ok := iso.Value().(*types.LinuxNoNewPrivileges)
		if !ok {
			return isolation.Config{}, noValue(iso)
		}
		c.NoNewPrivs = bool(*v)
	}
	if iso := is.GetByName(types.LinuxOOMScoreAdjName); iso != nil {
		v, ok := iso.Value().(*types.LinuxOOMScoreAdj)
		if !ok {
			return isolation.Config{}, noValue(iso)
		}
		adj := int(*v)
		if adj < -1000 || adj > 1000 {
			return isolation.Config{}, fmt.Errorf("oom-score-adj %d out of [-1000, 1000]: %w", adj, errdefs.ErrInvalid)
		}
		c.OOMScoreAdj = &adj
	}
	return c, nil
}

// Caps computes an app's capability set from its isolators:
// os/linux/capabilities-retain-set gives exactly the listed capabilities,
// os/linux/capabilities-remove-set takes the listed ones out of
// caps.Default, and with neither the app gets caps.Default. The two are
// exclusive, as appc says.
func Caps(is types.Isolators) (caps.Set, error) {
	retain := is.GetByName(types.LinuxCapabilitiesRetainSetName)
	remove := is.GetByName(types.LinuxCapabilitiesRevokeSetName)
	if retain != nil && remove != nil {
		return 0, fmt.Errorf("both %s and %s: %w", types.LinuxCapabilitiesRetainSetName,
			types.LinuxCapabilitiesRevokeSetName, errdefs.ErrInvalid)
	}
	switch {
	case retain != nil:
		return IsolatorCaps(retain)
	case remove != nil:
		listed, err := IsolatorCaps(remove)
		return caps.Default &^ listed, err
	}
	return caps.Default, nil
}

// IsolatorCaps is the set a capability isolator lists. stage1-fly takes a
// remove-set out of the caller's capabilities, not out of caps.Default, so
// it needs the listed set itself. An isolator built by hand (not
// unmarshalled) has no value: an error, not a panic.
func IsolatorCaps(iso *types.Isolator) (caps.Set, error) {
	v, ok := iso.Value().(types.LinuxCapabilitiesSet)
	if !ok {
		return 0, fmt.Errorf("isolator %s has no capability set: %w", iso.Name, errdefs.ErrInvalid)
	}
	var s caps.Set
	for _, name := range v.Set() {
		c, err := caps.Parse(string(name))
		if err != nil {
			return 0, fmt.Errorf("isolator %s: %w", iso.Name, err)
		}
		s |= caps.Of(c)
	}
	return s, nil
}

// Seccomp returns the filter that os/linux/seccomp-retain-set or
// os/linux/seccomp-remove-set describes, or seccomp.Default when the app
// has neither.
func Seccomp(is types.Isolators) (seccomp.Spec, error) {
	retain := is.GetByName(types.LinuxSeccompRetainSetName)
	remove := is.GetByName(types.LinuxSeccompRemoveSetName)
	var iso *types.Isolator
	mode := seccomp.ModeRemove
	switch {
	case retain != nil && remove != nil:
		return seccomp.Spec{}, fmt.Errorf("both %s and %s: %w", types.LinuxSeccompRetainSetName,
			types.LinuxSeccompRemoveSetName, errdefs.ErrInvalid)
	case retain != nil:
		iso, mode = retain, seccomp.ModeRetain
	case remove != nil:
		iso = remove
	default:
		return seccomp.Default(), nil
	}
	v, ok := iso.Value().(types.LinuxSeccompSet)
	if !ok {
		return seccomp.Spec{}, fmt.Errorf("isolator %s has no syscall set: %w", iso.Name, errdefs.ErrInvalid)
	}
	s := seccomp.Spec{Mode: mode, Errno: string(v.Errno())}
	for _, e := range v.Set() {
		s.Syscalls = append(s.Syscalls, string(e))
	}
	return s, s.Validate()
}

// HasSeccomp tells whether the isolators name a seccomp filter.
func HasSeccomp(is types.Isolators) bool {
	return is.GetByName(types.LinuxSeccompRetainSetName) != nil || is.GetByName(types.LinuxSeccompRemoveSetName) != nil
}

// Limits reads resource/memory and resource/cpu (their limit; requests
// need no enforcement) and os/linux/cpu-shares.
func Limits(is types.Isolators) (cgroups.Limits, error) {
	var l cgroups.Limits
	for _, iso := range is {
		switch iso.Name {
		case types.ResourceMemoryName, types.ResourceCPUName:
			r, ok := iso.Value().(types.Resource)
			if !ok {
				return cgroups.Limits{}, noValue(&iso)
			}
			q := r.Limit()
			if q == nil {
				continue
			}
			if iso.Name == types.ResourceMemoryName {
				l.MemoryBytes = q.Value()
			} else {
				l.CPUMillis = q.MilliValue()
			}
		case types.LinuxCPUSharesName:
			v, ok := iso.Value().(*types.LinuxCPUShares)
			if !ok {
				return cgroups.Limits{}, noValue(&iso)
			}
			l.CPUShares = uint64(*v)
		}
	}
	return l, l.Validate()
}

func noValue(iso *types.Isolator) error {
	return fmt.Errorf("isolator %s has no value: %w", iso.Name, errdefs.ErrInvalid)
}
