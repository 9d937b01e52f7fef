package isolation

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
)

// Seccomp modes as /proc/PID/status reports them.
const (
	SeccompDisabled = 0
	SeccompStrict   = 1
	SeccompFilter   = 2
)

// State is a process's confinement as /proc/PID/status shows it.
type State struct {
	UID, GID    uint32 // effective
	Groups      []uint32
	Bounding    caps.Set
	Effective   caps.Set
	Permitted   caps.Set
	Inheritable caps.Set
	Ambient     caps.Set
	NoNewPrivs  bool
	Seccomp     int // SeccompDisabled, SeccompStrict or SeccompFilter
	// SeccompFilters counts the filters attached (Linux 5.9+; 0 before).
	SeccompFilters int
}

// ReadState reads the state of process pid (0: this process). The status
// file shows the thread group leader's credentials.
func ReadState(pid int) (State, error) {
	p := "/proc/self/status"
	if pid != 0 {
		p = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(p)
	if err != nil {
		return State{}, fmt.Errorf("read state: %w", err)
	}
	defer f.Close()
	var st State
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if err := st.set(key, fields); err != nil {
			return State{}, fmt.Errorf("%s: %s: %w", p, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return State{}, fmt.Errorf("read %s: %w", p, err)
	}
	return st, nil
}

// set fills the field that key names; unknown keys are skipped.
func (st *State) set(key string, fields []string) error {
	capSet := map[string]*caps.Set{
		"CapBnd": &st.Bounding, "CapEff": &st.Effective, "CapPrm": &st.Permitted,
		"CapInh": &st.Inheritable, "CapAmb": &st.Ambient,
	}
	if dst, ok := capSet[key]; ok {
		if len(fields) != 1 {
			return errdefs.ErrInvalid
		}
		v, err := strconv.ParseUint(fields[0], 16, 64)
		*dst = caps.Set(v)
		return err
	}
	switch key {
	case "Uid", "Gid":
		// real, effective, saved, filesystem: the effective one decides.
		if len(fields) != 4 {
			return errdefs.ErrInvalid
		}
		v, err := strconv.ParseUint(fields[1], 10, 32)
		if key == "Uid" {
			st.UID = uint32(v)
		} else {
			st.GID = uint32(v)
		}
		return err
	case "Groups":
		for _, g := range fields {
			v, err := strconv.ParseUint(g, 10, 32)
			if err != nil {
				return err
			}
			st.Groups = append(st.Groups, uint32(v))
		}
	case "NoNewPrivs", "Seccomp", "Seccomp_filters":
		if len(fields) != 1 {
			return errdefs.ErrInvalid
		}
		v, err := strconv.Atoi(fields[0])
		switch key {
		case "NoNewPrivs":
			st.NoNewPrivs = v == 1
		case "Seccomp":
			st.Seccomp = v
		default:
			st.SeccompFilters = v
		}
		return err
	}
	return nil
}
