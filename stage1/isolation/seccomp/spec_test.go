package seccomp

import (
	"errors"
	"reflect"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestParseFlag(t *testing.T) {
	got, err := ParseFlag("mode=remove,errno=ENOTSUP,socket,@rkt/default-blacklist")
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Mode: ModeRemove, Errno: "ENOTSUP", Syscalls: []string{"socket", "@rkt/default-blacklist"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"socket", "mode=keep,socket", "mode=retain", "mode=remove,errno=EWHAT,socket",
		"mode=remove,no_such_syscall", "mode=remove,@rkt/unknown-group"} {
		if _, err := ParseFlag(bad); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("ParseFlag(%q): got %v, want ErrInvalid", bad, err)
		}
	}
}
