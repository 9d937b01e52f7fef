package take

import (
	"os"
	"strconv"
	"testing"

	"github.com/saturnpod/saturn/stage1/sdactivation"
)

func TestSocketsOtherPID(t *testing.T) {
	t.Setenv(sdactivation.EnvPID, strconv.Itoa(os.Getpid()+1))
	t.Setenv(sdactivation.EnvFDs, "2")
	t.Setenv(sdactivation.EnvNames, "a:b")
	socks, err := Sockets()
	if err != nil || socks != nil {
		t.Errorf("Sockets for another PID: %v %v", socks, err)
	}
	for _, v := range []string{sdactivation.EnvPID, sdactivation.EnvFDs, sdactivation.EnvNames} {
		if _, ok := os.LookupEnv(v); ok {
			t.Errorf("%s left in the environment", v)
		}
	}
}

func TestSocketsBadCount(t *testing.T) {
	t.Setenv(sdactivation.EnvPID, strconv.Itoa(os.Getpid()))
	t.Setenv(sdactivation.EnvFDs, "x")
	if _, err := Sockets(); err == nil {
		t.Errorf("LISTEN_FDS=x accepted")
	}
}
