package stage0

import (
	"errors"
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
	out := make([]*Status, 0, len(ps))
	for _, p := range ps {
		s, err := podStatus(p)
		if errors.Is(err, errdefs.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
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
	s.Created, s.Started, s.Exited = timePtr(t.Created), timePtr(t.Started), timePtr(t.Exited)
	if st == pod.Running {
		s.Exited = nil // some apps exited, the pod did not
	}
	if pid, err := p.PID(); err == nil && st == pod.Running {
		s.PID = pid
	}
	s.Networks = p.Networks()
	pm, err := p.Manifest()
	if err != nil {
		// Still preparing, or a prepare that died before writing it.
		return s, nil
	}
	codes, _ := p.ExitStatuses()
	for _, ra := range pm.Apps {
		a := AppStatus{Name: ra.Name.String(), ImageID: ra.Image.ID.String(), State: appState(st)}
		if ra.Image.Name != nil {
			a.ImageName = ra.Image.Name.String()
		}
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
