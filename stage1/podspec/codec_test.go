package podspec

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// fill sets every field reachable from v to a value that is not its zero
// value, each one different (n counts them): a round trip of the result
// loses any field the codec does not carry.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(-*n))
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		v.SetUint(uint64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(t, k, n)
			fill(t, e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: no rule for %s: teach the codec and fill about it", v.Type())
	}
}

func filledPod(t *testing.T) *Pod {
	p := &Pod{}
	n := 0
	fill(t, reflect.ValueOf(p).Elem(), &n)
	return p
}

func TestCodecCoversEveryField(t *testing.T) {
	want := filledPod(t)
	got, err := decode(want.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip lost something:\n got %+v\nwant %+v", got, want)
	}
	// And the zero pod, nil slices and pointers included.
	if got, err := decode((&Pod{}).encode()); err != nil || !reflect.DeepEqual(got, &Pod{}) {
		t.Fatalf("zero pod: %+v, %v", got, err)
	}
}

func TestDecodeRejectsCorruptInput(t *testing.T) {
	b := filledPod(t).encode()
	// Every truncation fails cleanly, and so does anything appended.
	for n := range len(b) {
		if _, err := decode(b[:n]); !errors.Is(err, errdefs.ErrInvalid) {
			t.Fatalf("truncated to %d of %d bytes: %v", n, len(b), err)
		}
	}
	if _, err := decode(append(b[:len(b):len(b)], 0)); !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("trailing byte: %v", err)
	}
	other := append([]byte(nil), b...)
	other[len(magic)-1]++ // another version
	if _, err := decode(other); !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("other version: %v", err)
	}
	// A length far beyond the data allocates nothing and fails.
	huge := append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
	if _, err := decode(huge); !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("huge count: %v", err)
	}
}

// FuzzDecode: no input makes decode panic, and what it accepts survives
// another round trip unchanged.
func FuzzDecode(f *testing.F) {
	f.Add(testPod().encode())
	f.Add((&Pod{}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decode(b)
		if err != nil {
			return
		}
		again, err := decode(p.encode())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("decoded %+v; its encoding decodes to %+v, %v", p, again, err)
		}
	})
}
