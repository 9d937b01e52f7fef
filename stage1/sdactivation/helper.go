package sdactivation

import (
	"os"
	"strconv"
	"strings"
)

// HelperFiles is an exec helper's fd table: stdio, the app's sockets at
// 3 and up, then the helper's channel (at HelperSock).
func HelperFiles(stdio [3]uintptr, socks []Socket, sock int) []uintptr {
	files := append([]uintptr(nil), stdio[:]...)
	for _, s := range socks {
		files = append(files, s.File.Fd())
	}
	return append(files, uintptr(sock))
}

// HelperEnv is an exec helper's environment: the sockets' names, or
// nothing without sockets.
func HelperEnv(socks []Socket) []string {
	if len(socks) == 0 {
		return nil
	}
	names := make([]string, len(socks))
	for i, s := range socks {
		names[i] = s.Name
	}
	return []string{envHelper + "=" + strings.Join(names, ":")}
}

// helperNames reads the sockets' names in an exec helper.
func helperNames() []string {
	v, ok := os.LookupEnv(envHelper)
	if !ok {
		return nil
	}
	return strings.Split(v, ":")
}

// HelperSock is the fd of the exec helper's channel: right after the
// app's sockets.
func HelperSock() int { return FirstFD + len(helperNames()) }

// AppEnv completes the app's environment in the exec helper, right before
// it execs: with sockets at 3 and up, the protocol's three variables, with
// LISTEN_PID the helper's PID, which the program keeps. Any LISTEN_ variable
// the app's own environment had is replaced.
func AppEnv(env []string) []string {
	names := helperNames()
	if names == nil {
		return env
	}
	out := make([]string, 0, len(env)+3)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k != EnvPID && k != EnvFDs && k != EnvNames {
			out = append(out, kv)
		}
	}
	return append(out,
		EnvPID+"="+strconv.Itoa(os.Getpid()),
		EnvFDs+"="+strconv.Itoa(len(names)),
		EnvNames+"="+strings.Join(names, ":"))
}
