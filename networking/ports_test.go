package networking

import (
	"errors"
	"net"
	"reflect"
	"testing"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestPortsFromManifest(t *testing.T) {
	pm := &schema.PodManifest{
		Apps: schema.AppList{
			{Name: "web", App: &types.App{Ports: []types.Port{{Name: "http", Protocol: "tcp", Port: 80}, {Name: "dns", Protocol: "udp", Port: 53, Count: 2}}}},
			{Name: "side", App: &types.App{Ports: []types.Port{{Name: "http", Protocol: "tcp", Port: 80}}}},
		},
		Ports: []types.ExposedPort{
			{Name: "http", HostPort: 8080},
			{Name: "dns", HostPort: 5353, HostIP: net.ParseIP("127.0.0.1")},
			{Name: "own", HostPort: 9000, PodPort: &types.Port{Name: "own", Protocol: "tcp", Port: 9}},
		},
	}
	got, err := PortsFromManifest(pm)
	if err != nil {
		t.Fatal(err)
	}
	want := []PortMapping{
		{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
		{HostPort: 5353, ContainerPort: 53, Protocol: "udp", HostIP: "127.0.0.1"},
		{HostPort: 5354, ContainerPort: 54, Protocol: "udp", HostIP: "127.0.0.1"},
		{HostPort: 9000, ContainerPort: 9, Protocol: "tcp"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	pm.Ports = []types.ExposedPort{{Name: "nosuch", HostPort: 1}}
	if _, err := PortsFromManifest(pm); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("undeclared port: %v", err)
	}
	pm.Apps[1].App.Ports[0].Port = 81
	pm.Ports = []types.ExposedPort{{Name: "http", HostPort: 1}}
	if _, err := PortsFromManifest(pm); !errors.Is(err, errdefs.ErrAmbiguous) {
		t.Errorf("port declared differently twice: %v", err)
	}
	pm.Ports = []types.ExposedPort{{Name: "dns", HostPort: 65535}}
	if _, err := PortsFromManifest(pm); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("range past 65535: %v", err)
	}
}
