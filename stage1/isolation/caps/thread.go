package caps

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// DropBounding removes from the calling thread's bounding set every
// capability not in keep. It needs CAP_SETPCAP in the effective set, so it
// runs before the thread changes uid. Capabilities past the kernel's last
// one are skipped: PR_CAPBSET_DROP says EINVAL for them, which ends the loop.
func DropBounding(keep Set) error {
	for c := Cap(0); c < 64; c++ {
		if keep.Has(c) {
			continue
		}
		err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
		if errors.Is(err, unix.EINVAL) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("drop %v from the bounding set: %w", c, err)
		}
	}
	return nil
}

// ClearAmbient empties the calling thread's ambient set. Kernels before 4.3
// have no ambient set (EINVAL): nothing to clear there.
func ClearAmbient() error {
	err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	if err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear the ambient set: %w", err)
	}
	return nil
}

// SetThread sets the calling thread's effective, permitted and inheritable
// sets with capset(2). A set may only shrink permitted, and effective and
// inheritable must lie within it.
func SetThread(effective, permitted, inheritable Set) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	for i := range data {
		shift := 32 * uint(i)
		data[i].Effective = uint32(effective >> shift)
		data[i].Permitted = uint32(permitted >> shift)
		data[i].Inheritable = uint32(inheritable >> shift)
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}

// Thread returns the calling thread's effective, permitted and inheritable sets.
func Thread() (effective, permitted, inheritable Set, err error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, 0, 0, fmt.Errorf("capget: %w", err)
	}
	for i := range data {
		shift := 32 * uint(i)
		effective |= Set(data[i].Effective) << shift
		permitted |= Set(data[i].Permitted) << shift
		inheritable |= Set(data[i].Inheritable) << shift
	}
	return effective, permitted, inheritable, nil
}
