package run

import (
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/saturnpod/saturn/stage1/machined"
	"github.com/saturnpod/saturn/stage1/notify"
	"github.com/saturnpod/saturn/stage1/sdactivation"
)

// systemd is what stage1 init does for the service manager it may run
// under (Documentation/systemd.md): readiness, socket activation, machined.
type systemd struct {
	uuid string
	log  *slog.Logger
	sd   *notify.Manager

	mu         sync.Mutex
	registered bool
	down       bool
}

// forSystemd takes NOTIFY_SOCKET and the socket-activation sockets out of
// stage1 init's environment (no child inherits them) and passes the
// sockets on to the pod init. Call it before anything copies the
// environment into cmd.
func forSystemd(cmd *exec.Cmd, args []string, log *slog.Logger) (*systemd, error) {
	s := &systemd{uuid: args[len(args)-1], log: log, sd: notify.FromEnv()}
	socks, err := sdactivation.Take()
	if err != nil {
		return nil, err
	}
	sdactivation.Pass(cmd, socks)
	return s, nil
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
