package main

import (
	"strings"

	"github.com/spf13/pflag"
)

// repeated is a flag that may be given many times, each value kept as
// given, like pflag's StringArray. pflag renders a StringArray's default
// through a CSV writer with a 4 KB buffer when the flag is defined: every
// saturn invocation defines all commands' flags, so that cost about 100 KB
// of fresh heap (26 page faults) before any command ran.
type repeated struct{ values *[]string }

// repeatedVar defines a repeated flag that appends to *p.
func repeatedVar(fs *pflag.FlagSet, p *[]string, name, usage string) {
	fs.Var(repeated{p}, name, usage)
}

// String is empty when no value was given, so help shows no default.
func (r repeated) String() string {
	if len(*r.values) == 0 {
		return ""
	}
	return "[" + strings.Join(*r.values, ",") + "]"
}

func (r repeated) Set(v string) error {
	*r.values = append(*r.values, v)
	return nil
}

func (r repeated) Type() string { return "stringArray" }
