package run

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/machined"
	"github.com/saturnpod/saturn/stage1/notify"
	"github.com/saturnpod/saturn/stage1/sdactivation"
	"github.com/saturnpod/saturn/stage1/sdactivation/take"
)

// systemd is what stage1 init does for the service manager it may run
// under (Documentation/systemd.md): readiness, socket activation, machined,
// and the exit of a unit's main process that was asked to stop.
type systemd struct {
	uuid  string
	log   *slog.Logger
	sd    *notify.Manager
	socks []sdactivation.Socket
	stop  chan os.Signal // the first stop request

	mu         sync.Mutex
	registered bool
	down       bool
}

// newSystemd takes NOTIFY_SOCKET and the socket-activation sockets out of
// stage1 init's environment, so that no child inherits them.
func newSystemd(uuid string, log *slog.Logger) (*systemd, error) {
	s := &systemd{uuid: uuid, log: log, sd: notify.FromEnv(), stop: make(chan os.Signal, 1)}
	var err error
	if s.socks, err = take.Sockets(); err != nil {
		return nil, err
	}
	return s, nil
}

// pass gives the sockets to the pod init.
func (s *systemd) pass(cmd *exec.Cmd) {
	sdactivation.Pass(cmd, s.socks)
}

// noteStops starts noting stop requests for exitCode. Call it once the
// stop relay's channel catches the signals: a signal caught before then
// by this channel alone would never stop the pod.
func (s *systemd) noteStops() {
	signal.Notify(s.stop, unix.SIGTERM, unix.SIGINT)
}

// up is called once every app has started (and said READY=1 if it speaks
// sd_notify): the pod registers with machined, then tells the manager.
func (s *systemd) up(leader int) {
	s.mu.Lock()
	if !s.down {
		root, _ := filepath.Abs("stage1/rootfs")
		if err := machined.Register(s.uuid, leader, root); err != nil {
			s.log.Debug("not registered with machined", "err", err)
		} else {
			s.registered = true
		}
	}
	s.mu.Unlock()
	if err := s.sd.Ready(fmt.Sprintf("pod %s running", s.uuid)); err != nil {
		s.log.Warn("notify service manager", "err", err)
	}
}

// stopped is called once the pod init has ended.
func (s *systemd) stopped() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
	if s.registered {
		if err := machined.Unregister(s.uuid); err != nil {
			s.log.Debug("machined unregister", "err", err)
		}
	}
}

// exitCode is the last thing stage1 init does. As a unit's main process
// (its parent is PID 1, INVOCATION_ID set) that was asked to stop by
// SIGTERM or SIGINT, and whose apps ended of that very signal (the pod's
// code is 128+N), it ends by that signal, as a daemon does: systemd counts
// that a clean stop, where exit code 143 would fail the unit. Anywhere
// else it returns the pod's code.
func (s *systemd) exitCode(code int) int {
	select {
	case sig := <-s.stop:
		n, ok := sig.(syscall.Signal)
		if !ok || code != 128+int(n) || os.Getppid() != 1 || os.Getenv("INVOCATION_ID") == "" {
			return code
		}
		s.log.Debug("stopped by the service manager: ending by its signal", "signal", n)
		signal.Reset(n)
		unix.Kill(os.Getpid(), n)
		time.Sleep(time.Second) // the signal ends the process first
	default:
	}
	return code
}
