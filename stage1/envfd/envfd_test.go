package envfd

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestPassNumbersTheExtraFiles(t *testing.T) {
	cmd := exec.Command("/bin/true")
	cmd.Env = []string{"A=b"}
	Pass(cmd, "FIRST_FD", os.Stdin)
	Pass(cmd, "SECOND_FD", os.Stdout)
	if want := []string{"A=b", "FIRST_FD=3", "SECOND_FD=4"}; !slices.Equal(cmd.Env, want) {
		t.Fatalf("env %q, want %q", cmd.Env, want)
	}
	if len(cmd.ExtraFiles) != 2 || cmd.ExtraFiles[1] != os.Stdout {
		t.Fatalf("extra files %v", cmd.ExtraFiles)
	}
}

func TestTake(t *testing.T) {
	t.Setenv("SATURN_TEST_FD", "7")
	if fd, ok, err := Take("SATURN_TEST_FD"); fd != 7 || !ok || err != nil {
		t.Fatalf("got %d %v %v", fd, ok, err)
	}
	if _, ok := os.LookupEnv("SATURN_TEST_FD"); ok {
		t.Fatal("variable left in the environment")
	}
	if _, ok, err := Take("SATURN_TEST_FD"); ok || err != nil {
		t.Fatalf("unset: %v %v", ok, err)
	}
	for _, bad := range []string{"", "x", "2", "-1"} {
		t.Setenv("SATURN_TEST_FD", bad)
		if _, ok, err := Take("SATURN_TEST_FD"); !ok || !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%q: %v %v", bad, ok, err)
		}
	}
}
