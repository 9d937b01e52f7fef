package run

import (
	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/stage1/appcspec"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// confinement is the app's isolation.Config. Unlike the default stage1,
// fly starts from the caller's privileges: every capability the caller
// has (not appc's default set) and no seccomp filter, and narrows them
// only where the app's isolators ask. no_new_privs and oom_score_adj are
// read as the default stage1 reads them.
func confinement(ra *schema.RuntimeApp, f *podcfg.RunFlags, proc *appproc.Proc) (isolation.Config, error) {
	is := ra.App.Isolators
	c, err := appcspec.Isolation(is, isolation.Insecure{Capabilities: true, Seccomp: true})
	if err != nil {
		return c, err
	}
	if !f.DisableCaps {
		if c.Bounding, err = bounding(is); err != nil {
			return c, err
		}
	}
	if !f.DisableSeccomp && appcspec.HasSeccomp(is) {
		s, err := appcspec.Seccomp(is)
		if err != nil {
			return c, err
		}
		c.Seccomp = &s
	}
	c.UID, c.GID, c.Groups = proc.Cred.Uid, proc.Cred.Gid, proc.Cred.Groups
	return c, nil
}

// bounding is the capability bounding set: a retain-set as listed, a
// remove-set taken out of everything the caller has, else all of it.
func bounding(is types.Isolators) (caps.Set, error) {
	// appcspec.Caps checks the isolators (one kind only, known names).
	set, err := appcspec.Caps(is)
	if err != nil {
		return 0, err
	}
	if is.GetByName(types.LinuxCapabilitiesRetainSetName) != nil {
		return set, nil
	}
	if iso := is.GetByName(types.LinuxCapabilitiesRevokeSetName); iso != nil {
		listed, err := appcspec.IsolatorCaps(iso)
		return caps.All &^ listed, err
	}
	return caps.All, nil
}
