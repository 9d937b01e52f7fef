package stage0

import (
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// AppStatus is one app of a pod, as `status` and `list` report it. The
// JSON names are part of saturn's stable output.
type AppStatus struct {
	Name      string `json:"name"`
	ImageName string `json:"image_name,omitempty"`
	ImageID   string `json:"image_id"`
	// State: preparing, prepared, running, exited, or unknown (the pod is
	// gone without recording this app's exit).
	State    string `json:"state"`
	ExitCode *int   `json:"exit_code,omitempty"` // set once the app exited
}

// Status is one pod as `status` and `list` report it.
type Status struct {
	UUID     string        `json:"uuid"`
	State    pod.State     `json:"state"`
	Created  *time.Time    `json:"created,omitempty"` // the pod manifest was written
	Started  *time.Time    `json:"started,omitempty"` // stage1 reported its pid
	Exited   *time.Time    `json:"exited,omitempty"`  // the last app exit was recorded
	PID      int           `json:"pid,omitempty"`     // the process enter joins, while known
	Networks []pod.NetInfo `json:"networks,omitempty"`
	Apps     []AppStatus   `json:"apps"`
}

// ExitCode is the pod's exit code as stage1 records it: the first app (in
// manifest order) that exited non-zero, else 0.
func (s *Status) ExitCode() int {
	for _, a := range s.Apps {
		if a.ExitCode != nil && *a.ExitCode != 0 {
			return *a.ExitCode
		}
	}
	return 0
}

// UnrecordedApp is the first app of an exited pod whose exit code was not
// recorded, or "" when there is none. A stage1 that execs its app in place
// (stage1-fly) leaves nothing behind to record it.
func (s *Status) UnrecordedApp() string {
	if s.State != pod.Exited && s.State != pod.ExitedGarbage {
		return ""
	}
	for _, a := range s.Apps {
		if a.ExitCode == nil {
			return a.Name
		}
	}
	return ""
}

// Status reports one pod. It reads only that pod's directory.
func (r *Runtime) Status(ref string) (*Status, error) {
	p, err := r.pods.Get(ref)
	if err != nil {
		return nil, err
	}
	return podStatus(p)
}

// WaitStatus waits until the pod is no longer on its way to exit (or the
// timeout, 0 for none, passes with ErrBusy), then reports it.
func (r *Runtime) WaitStatus(ref string, timeout time.Duration) (*Status, error) {
	p, err := r.pods.Get(ref)
	if err != nil {
		return nil, err
	}
	if _, err := p.Wait(timeout); err != nil {
		return nil, err
	}
	return podStatus(p)
}

// List reports every pod. A pod removed while List reads is left out.
func (r *Runtime) List() ([]*Status, error) {
	ps, err := r.pods.List()
	if err != nil {
		return nil, err
	}
	// Each pod costs a few syscalls and a small read: spread them over a
	// few workers so the disk and the CPUs overlap.
	sts := make([]*Status, len(ps))
	errs := make([]error, len(ps))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(ps), 2*runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sts[i], errs[i] = podStatus(ps[i])
			}
		}()
	}
	for i := range ps {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make([]*Status, 0, len(ps))
	for i, s := range sts {
		if errors.Is(errs[i], errdefs.ErrNotFound) {
			continue // removed while we looked
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, s)
	}
	return out, nil
}

func podStatus(p *pod.Pod) (*Status, error) {
	st, err := p.State()
	if err != nil {
		return nil, err
	}
	s := &Status{UUID: p.UUID, State: st, Apps: []AppStatus{}}
	t := p.Times()
	codes, exitedAt := p.ExitStatuses()
	s.Created, s.Started = timePtr(t.Created), timePtr(t.Started)
	if st != pod.Running { // while running, the time is some app's, not the pod's
		s.Exited = timePtr(exitedAt)
	}
	if st == pod.Running {
		if pid, err := p.PID(); err == nil {
			s.PID = pid
		}
	}
	s.Networks = p.Networks()
	apps, err := p.Apps()
	if err != nil {
		// Still preparing, or a prepare that died before writing it.
		return s, nil
	}
	for _, ra := range apps {
		a := AppStatus{Name: ra.Name, ImageName: ra.ImageName, ImageID: ra.ImageID, State: appState(st)}
		if c, ok := codes[a.Name]; ok {
			a.ExitCode, a.State = &c, "exited"
		}
		s.Apps = append(s.Apps, a)
	}
	return s, nil
}

// appState is an app's state before it recorded an exit code.
func appState(st pod.State) string {
	switch st {
	case pod.Embryo, pod.Preparing:
		return "preparing"
	case pod.Prepared:
		return "prepared"
	case pod.Running:
		return "running"
	}
	return "unknown"
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
