// Package notify speaks systemd's notification protocol (sd_notify(3)) on
// both sides: stage1 init tells the service manager that the pod is ready
// (READY=1 with a STATUS= line) through the NOTIFY_SOCKET it inherited, and
// the pod init gives each app whose image supports it
// (appc.io/executor/supports-systemd-notify=true) a notify socket of its
// own, in a directory bound into that app's root only, and waits for the
// app's READY=1 before it counts the app as started.
//
// No other process of the pod sees NOTIFY_SOCKET: stage1 init takes it out
// of its environment before it starts anything.
package notify

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// EnvSocket is the protocol's environment variable.
const EnvSocket = "NOTIFY_SOCKET"

// Manager is the service manager's notify socket, or none.
type Manager struct {
	addr string // "" without a manager that listens
}

// FromEnv takes NOTIFY_SOCKET out of the environment (so that no child
// inherits it) and returns the manager it names.
func FromEnv() *Manager {
	addr := os.Getenv(EnvSocket)
	os.Unsetenv(EnvSocket)
	return &Manager{addr: addr}
}

// Enabled tells whether a service manager waits for notifications.
func (m *Manager) Enabled() bool { return m.addr != "" }

// Send sends one notification: newline-separated VAR=VALUE assignments.
// Without a manager it does nothing.
func (m *Manager) Send(state string) error {
	if m.addr == "" {
		return nil
	}
	addr := &net.UnixAddr{Name: m.addr, Net: "unixgram"}
	if strings.HasPrefix(m.addr, "@") {
		addr.Name = "\x00" + m.addr[1:] // abstract namespace
	}
	c, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return fmt.Errorf("notify %s: %w", m.addr, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify %s: %w", m.addr, err)
	}
	return nil
}

// Ready tells the manager that the pod is up.
func (m *Manager) Ready(status string) error {
	return m.Send("READY=1\nSTATUS=" + oneLine(status))
}

// Stopping tells the manager that the pod is stopping.
func (m *Manager) Stopping(status string) error {
	return m.Send("STOPPING=1\nSTATUS=" + oneLine(status))
}

// MainPID is the assignment that names the unit's main process.
func MainPID(pid int) string { return fmt.Sprintf("MAINPID=%d", pid) }

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
