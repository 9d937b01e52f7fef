package notify

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// Annotation marks an image whose app speaks sd_notify; the pod
// manifest's annotations of the app override the image's (package
// appcspec reads them).
const Annotation = "appc.io/executor/supports-systemd-notify"

// AppDir is where an app's notify socket appears inside its root, and
// AppSocket the NOTIFY_SOCKET the app gets.
const (
	AppDir    = "/run/saturn/notify"
	AppSocket = AppDir + "/" + sockName
)

const sockName = "sock"

// Listener is an app's notify socket.
type Listener struct {
	path  string
	conn  *net.UnixConn
	ready chan struct{}
	once  sync.Once
	done  chan struct{}
}

// Listen makes dir (the host side of AppDir) and binds the app's socket
// in it. dir is best relative to the working directory: a socket path is
// limited to 107 bytes.
func Listen(dir string) (*Listener, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, sockName)
	os.Remove(path) // a previous run of the pod left it
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", err)
	}
	// The app may run as any user: the socket is reachable from its root only.
	if err := os.Chmod(path, 0o666); err != nil {
		conn.Close()
		return nil, err
	}
	l := &Listener{path: path, conn: conn, ready: make(chan struct{}), done: make(chan struct{})}
	go l.serve()
	return l, nil
}

// Ready is closed once the app sent READY=1.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Done is closed once the listener stopped (Close, or an error).
func (l *Listener) Done() <-chan struct{} { return l.done }

// Close stops listening.
func (l *Listener) Close() error {
	err := l.conn.Close()
	<-l.done
	os.Remove(l.path)
	return err
}

// serve reads notifications until the socket closes. Only READY=1
// matters; the rest (STATUS=, WATCHDOG=, ...) is read and dropped, so that
// the app's sd_notify calls never fail.
func (l *Listener) serve() {
	defer close(l.done)
	buf := make([]byte, 4096)
	for {
		n, err := l.conn.Read(buf)
		if err != nil {
			return
		}
		for _, line := range bytes.Split(buf[:n], []byte("\n")) {
			if string(line) == "READY=1" {
				l.once.Do(func() { close(l.ready) })
			}
		}
	}
}
