package pod

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/appc/spec/schema"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Manifest reads the pod manifest.
func (p *Pod) Manifest() (*schema.PodManifest, error) {
	b, err := p.ManifestBytes()
	if err != nil {
		return nil, err
	}
	var pm schema.PodManifest
	if err := json.Unmarshal(b, &pm); err != nil {
		return nil, fmt.Errorf("pod %s manifest: %v: %w", p.UUID, err, errdefs.ErrInvalid)
	}
	return &pm, nil
}

// ManifestBytes reads the pod manifest as written. stage0 writes it in
// place with one write(2), so an empty file is one being written.
func (p *Pod) ManifestBytes() ([]byte, error) {
	b, err := os.ReadFile(ManifestPath(p.Path()))
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(b) == 0) {
		return nil, fmt.Errorf("pod %s has no manifest yet: %w", p.UUID, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read pod manifest: %w", err)
	}
	return b, nil
}

// PID returns the PID of the process enter joins: the pid file, or the
// single child of the process in the ppid file. ErrNotFound until stage1
// wrote either.
func (p *Pod) PID() (int, error) {
	if pid, err := readInt(PIDPath(p.Path())); err == nil {
		return pid, nil
	}
	ppid, err := readInt(PPIDPath(p.Path()))
	if err != nil {
		return 0, fmt.Errorf("pod %s has no pid yet: %w", p.UUID, errdefs.ErrNotFound)
	}
	// Children are listed per thread of the parent: look at every thread.
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", ppid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("pod %s ppid %d is gone: %w", p.UUID, ppid, errdefs.ErrNotFound)
	}
	var kids []string
	for _, t := range tasks {
		if b, err := os.ReadFile(t); err == nil {
			kids = append(kids, strings.Fields(string(b))...)
		}
	}
	if len(kids) != 1 {
		return 0, fmt.Errorf("pod %s ppid %d has %d children, want 1: %w", p.UUID, ppid, len(kids), errdefs.ErrWrongState)
	}
	return strconv.Atoi(kids[0])
}

func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// ExitStatuses returns the exit code stage1 recorded for each app that
// exited, and the time of the latest record (zero if none).
func (p *Pod) ExitStatuses() (map[string]int, time.Time) {
	codes := map[string]int{}
	var latest time.Time
	for _, dir := range StatusDirs(p.Path()) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if _, seen := codes[e.Name()]; seen || !e.Type().IsRegular() {
				continue
			}
			code, err := readInt(filepath.Join(dir, e.Name()))
			if err != nil {
				continue // being written, or not a status file
			}
			codes[e.Name()] = code
			if fi, err := e.Info(); err == nil && fi.ModTime().After(latest) {
				latest = fi.ModTime()
			}
		}
	}
	return codes, latest
}

// Times are the moments of a pod's life that the pod dir records. A zero
// time means "not yet" or "unknown". The exit time is ExitStatuses'.
type Times struct {
	Created time.Time // the pod manifest was written
	Started time.Time // stage1 wrote pid or ppid
}

// Times reads the pod's timestamps from file mtimes.
func (p *Pod) Times() Times {
	var t Times
	dir := p.Path()
	if fi, err := os.Stat(ManifestPath(dir)); err == nil {
		t.Created = fi.ModTime()
	}
	for _, f := range []string{PIDPath(dir), PPIDPath(dir)} {
		if fi, err := os.Stat(f); err == nil {
			t.Started = fi.ModTime()
			break
		}
	}
	return t
}

// NetInfo is one network the pod is attached to, as stage1 recorded it.
type NetInfo struct {
	NetName string `json:"netName"`
	IP      string `json:"ip"`
}

// Networks reads what stage1 recorded about the pod's networks; none when
// stage1 records nothing (host or no networking).
func (p *Pod) Networks() []NetInfo {
	b, err := os.ReadFile(NetInfoPath(p.Path()))
	if err != nil {
		return nil
	}
	var nets []NetInfo
	if json.Unmarshal(b, &nets) != nil {
		return nil
	}
	return nets
}

// AppSummary is what list and status show of an app.
type AppSummary struct {
	Name      string
	ImageName string
	ImageID   string
}

// Apps reads the apps' names and images from the pod manifest. It skips
// appc's validating decoder, which costs more than everything else
// `saturn list` does; the manifest was validated when it was written.
func (p *Pod) Apps() ([]AppSummary, error) {
	b, err := p.ManifestBytes()
	if err != nil {
		return nil, err
	}
	var m struct {
		Apps []struct {
			Name  string `json:"name"`
			Image struct {
				Name string `json:"name"`
				ID   string `json:"id"`
			} `json:"image"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("pod %s manifest: %v: %w", p.UUID, err, errdefs.ErrInvalid)
	}
	apps := make([]AppSummary, len(m.Apps))
	for i, a := range m.Apps {
		apps[i] = AppSummary{Name: a.Name, ImageName: a.Image.Name, ImageID: a.Image.ID}
	}
	return apps, nil
}
