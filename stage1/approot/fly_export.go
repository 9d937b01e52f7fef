package approot

// The steps of Setup that stage1-fly shares. fly builds a different root
// around them (host /dev, /proc and /sys, a tmpfs /tmp, chroot rather than
// pivot_root), so it calls them one by one instead of Setup.

// MountOverlay mounts s's overlay (Lower, Upper, Work) on s.Root, which
// must exist.
func MountOverlay(s *Spec) error { return mountOverlay(s) }

// MountVolumes binds s.Mounts inside the root that the fd root opens.
func MountVolumes(root int, s *Spec) error { return mountVolumes(root, s) }

// WriteDNS writes /etc/resolv.conf and /etc/hosts inside root as s.DNS says.
func WriteDNS(root int, s *Spec) error { return writeDNS(root, s) }
