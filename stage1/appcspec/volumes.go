package appcspec

import (
	"fmt"
	"strconv"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/approot"
)

// Mounts lists an app's volume mounts: its explicit mounts (from the pod
// manifest, or --mount), then each of its image's mount points that a pod
// volume of the same name fills. emptyDir names an empty volume's directory.
func Mounts(pm *schema.PodManifest, ra *schema.RuntimeApp, emptyDir func(string) string) ([]approot.Mount, error) {
	vols := map[types.ACName]types.Volume{}
	for _, v := range pm.Volumes {
		vols[v.Name] = v
	}
	var out []approot.Mount
	done := map[types.ACName]bool{}
	add := func(v types.Volume, target string, ro bool) error {
		m := approot.Mount{Source: v.Source, Target: target, Recursive: true, ReadOnly: ro}
		if v.ReadOnly != nil && *v.ReadOnly {
			m.ReadOnly = true
		}
		if v.Recursive != nil {
			m.Recursive = *v.Recursive
		}
		switch v.Kind {
		case "host":
		case "empty":
			m.Source = emptyDir(v.Name.String())
		default:
			return fmt.Errorf("volume %s: kind %q: %w", v.Name, v.Kind, errdefs.ErrInvalid)
		}
		out = append(out, m)
		return nil
	}
	for _, m := range ra.Mounts {
		v, ok := vols[m.Volume]
		if m.AppVolume != nil {
			v, ok = *m.AppVolume, true
		}
		if !ok {
			return nil, fmt.Errorf("app %s: mount of volume %s: %w", ra.Name, m.Volume, errdefs.ErrNotFound)
		}
		ro := false
		for _, mp := range ra.App.MountPoints {
			ro = ro || (mp.Name == m.Volume && mp.ReadOnly)
		}
		if err := add(v, m.Path, ro); err != nil {
			return nil, err
		}
		done[m.Volume] = true
	}
	for _, mp := range ra.App.MountPoints {
		if done[mp.Name] {
			continue
		}
		v, ok := vols[mp.Name]
		if !ok {
			return nil, fmt.Errorf("app %s: mount point %s has no volume: %w", ra.Name, mp.Name, errdefs.ErrNotFound)
		}
		if err := add(v, mp.Path, mp.ReadOnly); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EmptyVolumes lists the pod's volumes of kind empty, with their mode
// (0755 unless given, in octal) and owner (root unless given).
func EmptyVolumes(pm *schema.PodManifest) ([]approot.EmptyVolume, error) {
	var out []approot.EmptyVolume
	for _, v := range pm.Volumes {
		if v.Kind != "empty" {
			continue
		}
		ev := approot.EmptyVolume{Name: v.Name.String(), Mode: 0o755}
		if v.Mode != nil {
			mode, err := strconv.ParseUint(*v.Mode, 8, 32)
			if err != nil {
				return nil, fmt.Errorf("volume %s: mode %q: %w", v.Name, *v.Mode, errdefs.ErrInvalid)
			}
			ev.Mode = uint32(mode) & 0o7777 // the file type bits are not the volume's to set
		}
		if v.UID != nil {
			ev.UID = *v.UID
		}
		if v.GID != nil {
			ev.GID = *v.GID
		}
		out = append(out, ev)
	}
	return out, nil
}
