package main

import "github.com/spf13/cobra"

// addPodCommands registers the pod commands: run, prepare, run-prepared,
// status, list, cat-manifest, stop, rm, gc, enter. (Owned by the stage0 work.)
func addPodCommands(root *cobra.Command, g *globalOptions) {}
