// Package applog keeps each app's output: the pod init gives an app a pipe
// for its stdout and one for its stderr, and copies what comes out of them
// both to its own stdout and stderr (so saturn's output, and under a
// systemd unit the journal, still gets it) and to the app's log file in the
// pod dir, where `saturn logs` reads it, also after the pod exited, until
// the pod is removed.
//
// A log file holds one record per line, in the CRI container log format
// that kubelet uses: "TIME STREAM TAG CONTENT\n", TIME in RFC 3339 with
// nanoseconds (UTC), STREAM "stdout" or "stderr", TAG "F" for a full line
// (its newline is the record's) or "P" for a piece of a line that goes on
// in the stream's next record. A file that reaches MaxSize is renamed to
// NAME.1 (replacing an older one) and a new one is started.
//
// The copies run in the pod init, the pod's long-lived PID 1: two
// goroutines and one 32 KiB buffer per stream of each app.
package applog

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Dir is the log directory, relative to the pod dir.
const Dir = "logs"

// MaxSize is the size at which a log file is rotated.
const MaxSize = 16 << 20

// Path is an app's log file, relative to the pod dir; Path(app)+".1" is
// the rotated one.
func Path(app string) string { return filepath.Join(Dir, app+".log") }

// The streams' names in records.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// streamOf names the stream of fd 1 or 2.
func streamOf(fd int) string {
	if fd == 1 {
		return Stdout
	}
	return Stderr
}

// Set is the logs of a pod's apps, so that the pod init can wait for all
// copies to end.
type Set struct {
	wg sync.WaitGroup
}

// Wait waits until every app's copies have ended (until no process holds
// the write end of any pipe any more), at most d: a copy can hang on
// saturn's own output when whoever reads it stops reading, and that must
// not keep the pod from ending. It tells whether they all ended.
func (s *Set) Wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// Start opens app's log file (relative to the working directory, the pod
// dir) and starts the copies of its streams. For each of fds 1 and 2 it
// returns what the app gets: the write end of a pipe, to close once the
// app's exec helper has it; or, for a terminal, the fd itself, left alone
// (an interactive app keeps its terminal, unlogged). closeW closes the
// write ends.
func (s *Set) Start(app string) (stdio [2]uintptr, closeW func(), err error) {
	if err := os.MkdirAll(Dir, 0o750); err != nil {
		return stdio, nil, err
	}
	lf := &file{path: Path(app)}
	var ws []*os.File
	closeW = func() {
		for _, w := range ws {
			w.Close()
		}
		ws = nil
	}
	for i := range stdio {
		fd, stream := i+1, streamOf(i+1)
		stdio[i] = uintptr(fd)
		if isTerminal(fd) {
			continue
		}
		if lf.f == nil {
			if err := lf.open(); err != nil {
				closeW()
				return stdio, nil, err
			}
		}
		dst, err := dupOut(fd)
		if err != nil {
			closeW()
			return stdio, nil, err
		}
		r, w, err := os.Pipe()
		if err != nil {
			dst.Close()
			closeW()
			return stdio, nil, err
		}
		ws = append(ws, w)
		stdio[i] = w.Fd()
		lf.users++
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			copyStream(r, dst, lf, stream)
		}()
	}
	return stdio, closeW, nil
}

// dupOut duplicates an output fd, so that a write to a closed pipe returns
// EPIPE instead of killing the pod init (Go's rule for fds 1 and 2).
func dupOut(fd int) (*os.File, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(nfd), streamOf(fd)), nil
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
