package main

import "github.com/spf13/cobra"

// addImageCommands registers `fetch` and the `image` group. (Owned by the store work.)
func addImageCommands(root *cobra.Command, g *globalOptions) {}
