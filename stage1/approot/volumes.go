package approot

import (
	"fmt"
	"os"
	"path/filepath"

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

// EmptyVolume is a volume of kind empty: a directory in the pod dir that
// lives as long as the pod.
type EmptyVolume struct {
	Name string
	// Mode holds the permission, setuid, setgid and sticky bits (unix
	// S_I* bits, as appc's octal string gives them).
	Mode uint32
	UID  int
	GID  int
}

// MakeEmptyVolumes creates the pod's empty volumes in the pod dir (see
// podstate.VolumeDir), before any app starts, so that apps sharing one find
// the same directory; existing ones are kept across runs of the pod.
func MakeEmptyVolumes(vols []EmptyVolume) error {
	for _, v := range vols {
		dir := podstate.VolumeDir(v.Name)
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
func MakeEmpty(dir string, v EmptyVolume) error {
	if v.Mode&^0o7777 != 0 {
		return fmt.Errorf("volume %s: mode %o: %w", v.Name, v.Mode, errdefs.ErrInvalid)
	}
	if err := os.Mkdir(dir, 0o700); os.IsExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	if err := os.Chown(dir, v.UID, v.GID); err != nil {
		return err
	}
	return os.Chmod(dir, os.FileMode(v.Mode&0o777)|unixModeBits(v.Mode))
}

func unixModeBits(m uint32) os.FileMode {
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
