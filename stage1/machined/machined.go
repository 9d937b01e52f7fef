// Package machined registers a running pod with systemd-machined, as
// machine "saturn-<uuid>" of class container whose leader is the pod init,
// so that `machinectl list`, `status` and `terminate` (which stops the
// pod's unit) work. The machine belongs to the unit saturn runs in: machined
// finds it from the leader's cgroup (RegisterMachine; saturn never makes a
// scope of its own). Without a system bus or machined nothing fails: the
// caller logs the error at debug level and goes on.
//
// It talks D-Bus through godbus with a deadline on every call (go-systemd's
// machine1 has neither deadlines nor UnregisterMachine), and keeps no
// connection open: stage1 init lives as long as the pod.
package machined

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/saturnpod/saturn/internal/errdefs"
)

const (
	dest    = "org.freedesktop.machine1"
	path    = "/org/freedesktop/machine1"
	manager = "org.freedesktop.machine1.Manager"
	// Timeout bounds each registration call.
	Timeout = 5 * time.Second
)

// Name is the machine name of a pod.
func Name(uuid string) string { return "saturn-" + uuid }

// Register registers the pod whose init is leader (a host PID); root is
// shown as the machine's root directory (may be empty).
func Register(uuid string, leader int, root string) error {
	id, err := hex.DecodeString(strings.ReplaceAll(uuid, "-", ""))
	if err != nil || len(id) != 16 {
		return fmt.Errorf("pod uuid %q: %w", uuid, errdefs.ErrInvalid)
	}
	return call("RegisterMachine", Name(uuid), id, "saturn", "container", uint32(leader), root)
}

// Unregister drops the pod's registration (it does not stop anything).
func Unregister(uuid string) error {
	return call("UnregisterMachine", Name(uuid))
}

func call(method string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("machined: %w", err)
	}
	defer conn.Close()
	if err := conn.Object(dest, path).CallWithContext(ctx, manager+"."+method, 0, args...).Err; err != nil {
		return fmt.Errorf("machined %s: %w", method, err)
	}
	return nil
}
