package network

import (
	"errors"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/nsthread"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

func TestFor(t *testing.T) {
	for net, want := range map[string]Network{"host": host{}, "none": none{}} {
		if nw, err := For(net); err != nil || nw != want {
			t.Errorf("%s: %v %v", net, nw, err)
		}
	}
	nw, err := For("default,mynet:IP=10.1.2.3")
	c, ok := nw.(cni)
	if err != nil || !ok || len(c.reqs) != 2 || c.reqs[1].Name != "mynet" || c.reqs[1].Args[0] != [2]string{"IP", "10.1.2.3"} {
		t.Errorf("CNI list: %#v %v", nw, err)
	}
	for _, bad := range []string{"host,default", "none:X=1", "a,a", "mynet:IP"} {
		if _, err := For(bad); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	f := &podcfg.RunFlags{Net: "default", UUID: "u"}
	if nw, err := ForRun(f); err != nil || nw.(cni).run != f {
		t.Errorf("ForRun: %#v %v", nw, err)
	}
	if err := (cni{}).Start(nil); err == nil {
		t.Error("a CNI network from For started")
	}
}

// In a new network namespace loopback starts down; InPod brings it up.
func TestNoneBringsLoopbackUp(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	var before, after uint16
	err := nsthread.Run(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return err
		}
		var err error
		if before, err = loFlags(); err != nil {
			return err
		}
		if err := (none{}).InPod(); err != nil {
			return err
		}
		after, err = loFlags()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if before&unix.IFF_UP != 0 || after&unix.IFF_UP == 0 {
		t.Errorf("lo flags before %#x after %#x", before, after)
	}
}

func loFlags() (uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	ifr, _ := unix.NewIfreq("lo")
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint16(), nil
}

// InPod waits for stage1 init's byte; EOF (setup failed) is an error; a
// pod init started without the pipe does not wait.
func TestCNIInPod(t *testing.T) {
	for _, write := range []bool{true, false} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		// InPod closes the fd it is given: give it a copy of r's.
		fd, err := unix.Dup(int(r.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		t.Setenv(readyEnv, strconv.Itoa(fd))
		if write {
			w.Write([]byte{1})
		}
		w.Close()
		err = cni{}.InPod()
		if (err == nil) != write {
			t.Errorf("written %v: %v", write, err)
		}
		if _, ok := os.LookupEnv(readyEnv); ok {
			t.Errorf("%s left in the environment", readyEnv)
		}
	}
	if err := (cni{}).InPod(); err != nil {
		t.Errorf("without the pipe: %v", err)
	}
}
