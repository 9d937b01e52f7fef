package main

import "strings"

// exitCodeError makes a command exit with a given code, e.g. `status --wait`
// returning the pod's exit code. An empty msg prints nothing.
type exitCodeError struct {
	code int
	msg  string
}

func (e exitCodeError) Error() string { return e.msg }

// oneLine folds a multi-line error into the single line users are promised.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
