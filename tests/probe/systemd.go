package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// serveActivated accepts connections on the first socket systemd passed
// (sd_listen_fds: LISTEN_PID must be this process, the socket is fd 3) and
// answers each with reply and a newline, n times.
func serveActivated(reply string, n int) error {
	if pid := os.Getenv("LISTEN_PID"); pid != strconv.Itoa(os.Getpid()) {
		return fmt.Errorf("LISTEN_PID=%q, not this process (%d)", pid, os.Getpid())
	}
	if fds, _ := strconv.Atoi(os.Getenv("LISTEN_FDS")); fds < 1 {
		return fmt.Errorf("LISTEN_FDS=%q", os.Getenv("LISTEN_FDS"))
	}
	l, err := net.FileListener(os.NewFile(3, "listen"))
	if err != nil {
		return err
	}
	defer l.Close()
	for range n {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		fmt.Fprintln(c, reply)
		c.Close()
	}
	return nil
}

// notifyReady sends READY=1 to NOTIFY_SOCKET after delay.
func notifyReady(delay time.Duration) error {
	time.Sleep(delay)
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return fmt.Errorf("no NOTIFY_SOCKET")
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte("STATUS=probe ready\nREADY=1"))
	return err
}
