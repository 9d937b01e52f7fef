package stage0

import (
	"testing"

	"github.com/saturnpod/saturn/stage0/pod"
)

func TestUnrecordedApp(t *testing.T) {
	zero, seven := 0, 7
	for _, tc := range []struct {
		st   Status
		want string
	}{
		{Status{State: pod.Running, Apps: []AppStatus{{Name: "a"}}}, ""},
		{Status{State: pod.Exited, Apps: []AppStatus{{Name: "a", ExitCode: &zero}}}, ""},
		{Status{State: pod.Exited, Apps: []AppStatus{{Name: "a", ExitCode: &seven}, {Name: "b"}}}, "b"},
		{Status{State: pod.ExitedGarbage, Apps: []AppStatus{{Name: "a"}}}, "a"},
	} {
		if got := tc.st.UnrecordedApp(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.st, got, tc.want)
		}
	}
}
