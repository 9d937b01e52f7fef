package isolation

import (
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// Insecure mirrors the --insecure-options switches this package honours
// (paths is the stage1 mounts' business).
type Insecure struct {
	// Capabilities keeps every capability: the bounding set is left whole.
	Capabilities bool `json:"capabilities,omitempty"`
	// Seccomp installs no filter.
	Seccomp bool `json:"seccomp,omitempty"`
}

// Rlimit is one resource limit (a unix.RLIMIT_* resource).
type Rlimit struct {
	Resource int    `json:"resource"`
	Cur      uint64 `json:"cur"`
	Max      uint64 `json:"max"`
}

// Config is everything applied to the process before it execs the app. It
// is plain data, so a pod init can hand it to the helper that execs the app
// as JSON.
type Config struct {
	UID    uint32   `json:"uid"`
	GID    uint32   `json:"gid"`
	Groups []uint32 `json:"groups,omitempty"` // supplementary groups; empty clears them
	// Bounding is the capability bounding set; a root app ends up with
	// exactly these as permitted and effective, a non-root app with none
	// (file capabilities aside), as Linux does on exec. Inheritable and
	// ambient are always emptied.
	Bounding   caps.Set `json:"bounding"`
	NoNewPrivs bool     `json:"noNewPrivs,omitempty"`
	// Seccomp is the filter; nil installs none.
	Seccomp *seccomp.Spec `json:"seccomp,omitempty"`
	// OOMScoreAdj, when set, is written to /proc/self/oom_score_adj.
	OOMScoreAdj *int     `json:"oomScoreAdj,omitempty"`
	Rlimits     []Rlimit `json:"rlimits,omitempty"`
}
