// Package flystate is what stage1-fly's run leaves in the pod directory for
// enter and stop: the app's name, how it was exec'd (so enter runs its
// command exactly as the app runs), and the number of the pod lock fd the
// app holds, by which enter and stop recognize the app's process.
//
// The fly app is stage1 itself after an in-place exec, so no stage1
// process is left to ask: everything enter and stop need is on disk.
package flystate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// File is the record, relative to the pod dir, beside the default
// stage1's private state.
var File = filepath.Join(podstate.StateDir, "fly.json")

// State is the record.
type State struct {
	App string `json:"app"`
	// LockFD is the fd number of the locked pod dir in the app's process.
	LockFD int `json:"lockFd"`
	// Exec is the app's argv, environment, working dir and confinement.
	Exec appexec.Spec `json:"exec"`
}

// Write records s atomically, so enter never reads half a record.
func Write(s *State) error {
	if err := os.MkdirAll(podstate.StateDir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return podstate.WriteAtomic(File, b)
}

// Read reads the record; ErrNotFound before run wrote it.
func Read() (*State, error) {
	b, err := os.ReadFile(File)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no fly app record (the app never started): %w", errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", File, err, errdefs.ErrInvalid)
	}
	return &s, nil
}

// HoldsPod reports whether process pid is this pod's app: its fd LockFD is
// the pod dir (the working directory of every entrypoint). A stale pid file
// whose PID now names another process fails this test.
func (s *State) HoldsPod(pid int) bool {
	var fd, dir unix.Stat_t
	if unix.Stat(fmt.Sprintf("/proc/%d/fd/%d", pid, s.LockFD), &fd) != nil || unix.Stat(".", &dir) != nil {
		return false
	}
	return fd.Dev == dir.Dev && fd.Ino == dir.Ino
}
