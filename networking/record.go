package networking

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Files in the pod dir (see the package doc): the record in StateDir, the
// network info beside the pod manifest, where rkt kept it.
const (
	StateDir   = "net"
	recordFile = "state.json"
	InfoFile   = "net-info.json"
)

// phase of one network in the record.
type phase string

const (
	phasePending phase = "pending" // not started: nothing to undo
	phaseAdding  phase = "adding"  // ADD under way or failed: DEL the whole list
	phaseAdded   phase = "added"
)

// record is state.json: everything Teardown needs, written before each
// step that changes the host.
type record struct {
	Version     int    `json:"version"`
	ContainerID string `json:"containerID"`
	// NetnsPath is empty for a host-network pod, which has nothing to undo.
	NetnsPath   string      `json:"netnsPath,omitempty"`
	HostMountNS string      `json:"hostMountNS,omitempty"`
	Nets        []netRecord `json:"nets"`
}

type netRecord struct {
	Name           string         `json:"name"`
	IfName         string         `json:"ifName"`
	Args           [][2]string    `json:"args,omitempty"`
	CapabilityArgs map[string]any `json:"capabilityArgs,omitempty"`
	// Config is the CNI configuration list as used.
	Config json.RawMessage `json:"config"`
	Phase  phase           `json:"phase"`
	// Done counts the plugins of Config whose ADD returned; Result is the
	// last one's result, the prevResult of every DEL.
	Done   int             `json:"pluginsDone"`
	Result json.RawMessage `json:"result,omitempty"`
}

// writeRecord replaces state.json atomically: a crash leaves the old or the
// new record. There is no fsync: it guards against a killed process, and
// after a power loss the kernel state it describes is gone too.
func writeRecord(podDir string, rec *record) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(podDir, StateDir, recordFile), b)
}

// readRecord reads state.json; a missing one is errdefs.ErrNotFound.
func readRecord(podDir string) (*record, error) {
	path := filepath.Join(podDir, StateDir, recordFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%s: %v: %w", path, err, errdefs.ErrInvalid)
	}
	if rec.Version != 1 {
		return nil, fmt.Errorf("%s: version %d: %w", path, rec.Version, errdefs.ErrInvalid)
	}
	return &rec, nil
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
