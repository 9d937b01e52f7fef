package networking

import (
	"errors"
	"reflect"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestParseNetList(t *testing.T) {
	ok := map[string][]NetRequest{
		"":                   {{Name: "default"}},
		"default":            {{Name: "default"}},
		"host":               {{Name: "host"}},
		"none":               {{Name: "none"}},
		"default-restricted": {{Name: "default-restricted"}},
		"mynet:IP=10.1.2.3,other": {
			{Name: "mynet", Args: [][2]string{{"IP", "10.1.2.3"}}},
			{Name: "other"}},
		"a:IP=10.1.2.3;FOO=bar": {{Name: "a", Args: [][2]string{{"IP", "10.1.2.3"}, {"FOO", "bar"}}}},
		"default, b":            {{Name: "default"}, {Name: "b"}},
	}
	for in, want := range ok {
		got, err := ParseNetList(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseNetList(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"host,default", "none,a", "a,a", ",", "a:IP", "a:=x", "a:K=V=W", "host:IP=1.2.3.4"} {
		if _, err := ParseNetList(in); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("ParseNetList(%q): %v, want invalid", in, err)
		}
	}
}
