package stage0

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/saturnpod/saturn/stage0/pod"
	"github.com/saturnpod/saturn/store"
)

// Config is what every stage0 operation needs.
type Config struct {
	DataDir string       // the saturn data dir, holding cas/ and pods/
	Logger  *slog.Logger // debug and warning output; nil discards
	Debug   bool         // also passed to stage1 entrypoints as --debug
}

// Runtime runs stage0 operations on one data dir.
type Runtime struct {
	cfg   Config
	log   *slog.Logger
	pods  *pod.Pods
	store *store.Store // opened on first use: status and list never need it
}

// New opens the pod area of cfg.DataDir.
func New(cfg Config) (*Runtime, error) {
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("stage0: no data dir")
	}
	// stage1 runs in the pod dir and is handed paths under the data dir:
	// a relative one would resolve against the wrong directory there.
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("stage0: data dir: %w", err)
	}
	cfg.DataDir = abs
	ps, err := pod.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = discardLogger()
	}
	return &Runtime{cfg: cfg, log: log, pods: ps}, nil
}

// Pods is the pod area, for callers that need the state machine directly.
func (r *Runtime) Pods() *pod.Pods { return r.pods }

// Store opens the image store on first use.
func (r *Runtime) Store() (*store.Store, error) {
	if r.store == nil {
		s, err := store.Open(r.cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("open image store: %w", err)
		}
		r.store = s
	}
	return r.store, nil
}

// Pod finds a pod by UUID or unambiguous prefix.
func (r *Runtime) Pod(ref string) (*pod.Pod, error) { return r.pods.Get(ref) }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
