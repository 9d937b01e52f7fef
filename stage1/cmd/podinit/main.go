// Command podinit is the default stage1's pod init binary: PID 1 of the
// pod (package podinit), which stage1 init starts from the stage1 root,
// where it lies beside stage1 init's binary as saturn-pod-init; and the
// app exec helper (package appexec) the pod init re-execs itself as.
//
// It is a binary of its own, not a name of the stage1 binary, because
// every pod start runs it: without stage1 init's CNI and nftables code
// (and their package init functions) it starts about 0.4 ms sooner.
package main

import (
	"os"

	"github.com/saturnpod/saturn/internal/multicall"
	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/podinit"
)

func main() {
	os.Exit(multicall.Run("saturn pod init", podinit.Name, multicall.Mains{
		podinit.Name: podinit.Main,
		appexec.Name: appexec.Main,
	}, os.Args, os.Stderr))
}
