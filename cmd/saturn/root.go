package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// defaultDataDir is where saturn keeps its store and pods unless --dir says otherwise.
const defaultDataDir = "/var/lib/saturn"

// globalOptions are the flags every command shares.
type globalOptions struct {
	dir   string
	debug bool
}

// logger returns the slog logger the --debug flag asks for.
func (g *globalOptions) logger() *slog.Logger {
	level := slog.LevelWarn
	if g.debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "saturn",
		Short:         "saturn runs pods of apps from content-addressed images, without a daemon",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.dir, "dir", defaultDataDir, "saturn data directory")
	root.PersistentFlags().BoolVar(&g.debug, "debug", false, "print debug output on stderr")
	root.AddCommand(newVersionCmd())
	addImageCommands(root, g)
	addPodCommands(root, g)
	return root
}
