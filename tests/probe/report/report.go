// Package report is what the probe (tests/probe) prints: one JSON object
// of what it saw from inside a pod. The probe fills it; the functional
// tests and the demo read it.
package report

import "strings"

// Report is what the probe saw.
type Report struct {
	App      string              `json:"app"`
	Args     []string            `json:"args"`
	Pid      int                 `json:"pid"`
	Ppid     int                 `json:"ppid"`
	Pid1     string              `json:"pid1"` // argv[0] of PID 1
	Hostname string              `json:"hostname"`
	UID      int                 `json:"uid"`
	GID      int                 `json:"gid"`
	Groups   []int               `json:"groups"`
	Cwd      string              `json:"cwd"`
	Env      []string            `json:"env"`
	Mounts   []Mount             `json:"mounts"`
	NS       map[string]string   `json:"ns"`     // namespace links by name
	Status   map[string]string   `json:"status"` // Cap*, NoNewPrivs, Seccomp of /proc/self/status
	Cgroup   []string            `json:"cgroup"` // lines of /proc/self/cgroup
	Limits   map[string]string   `json:"limits"` // cgroup limit files readable under /sys/fs/cgroup
	Files    map[string]string   `json:"files"`  // --read
	Dirs     map[string][]string `json:"dirs"`   // --list
	// Syscalls: --syscall results, "ok" or the errno's name.
	Syscalls map[string]string `json:"syscalls,omitempty"`
	// Signals: --signal results by "PID:SIG", "ok" or the errno's name.
	Signals map[string]string `json:"signals,omitempty"`
	// Fds: the fds the probe was started with, by number, and what they
	// point to (read before the probe opens any file).
	Fds    map[string]string `json:"fds"`
	Errors []string          `json:"errors,omitempty"`
}

// Mount is one line of /proc/self/mountinfo.
type Mount struct {
	Point   string `json:"point"`
	FSType  string `json:"fstype"`
	Options string `json:"options"`
}

// Mount finds the mount at point.
func (r *Report) Mount(point string) (Mount, bool) {
	for _, m := range r.Mounts {
		if m.Point == point {
			return m, true
		}
	}
	return Mount{}, false
}

// Getenv is the value of the environment variable name, or "".
func (r *Report) Getenv(name string) string {
	for _, kv := range r.Env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
