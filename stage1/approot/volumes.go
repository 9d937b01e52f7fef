package approot

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/inroot"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// Mount is one volume at one place in an app.
type Mount struct {
	Source    string // host path (an empty volume's dir in the pod dir)
	Target    string // path in the app, resolved inside its root
	ReadOnly  bool
	Recursive bool
}

// Mounts lists an app's volume mounts: its explicit mounts (from the pod
// manifest, or --mount), then each of its image's mount points that a pod
// volume of the same name fills. emptyDir names an empty volume's directory.
func Mounts(pm *schema.PodManifest, ra *schema.RuntimeApp, emptyDir func(string) string) ([]Mount, error) {
	vols := map[types.ACName]types.Volume{}
	for _, v := range pm.Volumes {
		vols[v.Name] = v
	}
	var out []Mount
	done := map[types.ACName]bool{}
	add := func(v types.Volume, target string, ro bool) error {
		m := Mount{Source: v.Source, Target: target, Recursive: true, ReadOnly: ro}
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

// MakeEmptyVolumes creates the pod's empty volumes in the pod dir (see
// podstate.VolumeDir), before any app starts, so that apps sharing one find
// the same directory; existing ones are kept across runs of the pod.
func MakeEmptyVolumes(pm *schema.PodManifest) error {
	for _, v := range pm.Volumes {
		if v.Kind != "empty" {
			continue
		}
		dir := podstate.VolumeDir(v.Name.String())
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return err
		}
		if err := MakeEmpty(dir, v); err != nil {
			return err
		}
	}
	return nil
}

// MakeEmpty creates an empty volume's directory with its mode and owner;
// it keeps an existing one (a second app, or a second run of the pod).
func MakeEmpty(dir string, v types.Volume) error {
	mode := uint64(0o755)
	if v.Mode != nil {
		var err error
		if mode, err = strconv.ParseUint(*v.Mode, 8, 32); err != nil {
			return fmt.Errorf("volume %s: mode %q: %w", v.Name, *v.Mode, errdefs.ErrInvalid)
		}
	}
	if err := os.Mkdir(dir, 0o700); os.IsExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	uid, gid := 0, 0
	if v.UID != nil {
		uid = *v.UID
	}
	if v.GID != nil {
		gid = *v.GID
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return err
	}
	return os.Chmod(dir, os.FileMode(mode&0o777)|unixModeBits(mode))
}

func unixModeBits(m uint64) os.FileMode {
	var fm os.FileMode
	if m&unix.S_ISUID != 0 {
		fm |= os.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		fm |= os.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		fm |= os.ModeSticky
	}
	return fm
}

// mountVolumes binds each volume at its target inside the root. The
// source is a host path (the volume's owner chose it); the target is the
// image's, so it is resolved inside the root.
func mountVolumes(root int, s *Spec) error {
	for _, m := range s.Mounts {
		if err := bind(root, m); err != nil {
			return fmt.Errorf("volume %s at %s: %w", m.Source, m.Target, err)
		}
	}
	return nil
}

func bind(root int, m Mount) error {
	var st unix.Stat_t
	if err := unix.Stat(m.Source, &st); err != nil {
		return fmt.Errorf("source: %w: %w", err, errdefs.ErrNotFound)
	}
	var target int
	var err error
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		target, err = inroot.MkdirAll(root, m.Target, 0o755, inroot.Follow)
	} else {
		target, err = inroot.CreateFile(root, m.Target, inroot.Follow)
	}
	if err != nil {
		return err
	}
	defer unix.Close(target)
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	if m.Recursive {
		flags |= unix.AT_RECURSIVE
	}
	tree, err := unix.OpenTree(unix.AT_FDCWD, m.Source, flags)
	if err != nil {
		return fmt.Errorf("open_tree: %w", err)
	}
	defer unix.Close(tree)
	if m.ReadOnly {
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
			return fmt.Errorf("make read-only: %w", err)
		}
	}
	if err := unix.MoveMount(tree, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	return nil
}
