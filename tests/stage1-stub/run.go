package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// flagVersion is the interface version that introduced a run flag, 0 for
// a flag the interface does not have.
func flagVersion(name string) int {
	switch name {
	case "--debug", "--net", "--interactive", "--mds-token", "--local-config", "--private-users":
		return 1
	case "--hostname":
		return 2
	case "--disable-capabilities-restriction", "--disable-paths", "--disable-seccomp":
		return 3
	case "--dns-conf-mode":
		return 4
	}
	return 0
}

// podManifest is the part of the appc pod manifest the stub reads.
type podManifest struct {
	Apps []struct {
		Name string `json:"name"`
		App  struct {
			Environment []struct{ Name, Value string } `json:"environment"`
		} `json:"app"`
	} `json:"apps"`
}

func run(args []string) error {
	version, err := interfaceVersion()
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return fmt.Errorf("no pod UUID")
	}
	uuid := args[len(args)-1]
	for _, a := range args[:len(args)-1] {
		name, _, _ := strings.Cut(a, "=")
		if v := flagVersion(name); v == 0 || v > version {
			return fmt.Errorf("flag %s not in interface version %d", a, version)
		}
	}
	if err := checkPod(uuid); err != nil {
		return err
	}
	if err := checkLockFD(); err != nil {
		return err
	}
	if err := checkFDs(); err != nil {
		return err
	}
	if err := record("stub-run-args", strings.Join(args, "\n")+"\n"); err != nil {
		return err
	}
	pm, err := readManifest()
	if err != nil {
		return err
	}
	// Catch TERM before the pid file says we are up, so stop never finds
	// a pod that dies of the default action.
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	if err := record("pid", strconv.Itoa(os.Getpid())); err != nil {
		return err
	}
	return play(pm, term)
}

// play makes the apps exit as their environment says, records each exit
// code where stage0 reads it, and exits as the pod.
func play(pm *podManifest, term chan os.Signal) error {
	var sleep time.Duration
	codes := make([]int, len(pm.Apps))
	var sig syscall.Signal
	for i, a := range pm.Apps {
		for _, e := range a.App.Environment {
			switch e.Name {
			case "STUB_EXIT":
				codes[i], _ = strconv.Atoi(e.Value)
			case "STUB_SLEEP":
				if d, err := time.ParseDuration(e.Value); err == nil && d > sleep {
					sleep = d
				}
			case "STUB_SIGNAL":
				sig = signalByName(e.Value)
				codes[i] = 128 + int(sig)
			}
		}
	}
	select {
	case <-time.After(sleep):
	case <-term:
		for i := range codes {
			codes[i] = 128 + int(syscall.SIGTERM)
		}
	}
	status := filepath.Join("stage1", "rootfs", "rkt", "status")
	if err := os.MkdirAll(status, 0o755); err != nil {
		return err
	}
	exit := 0
	for i, a := range pm.Apps {
		if err := os.WriteFile(filepath.Join(status, a.Name), []byte(strconv.Itoa(codes[i])), 0o644); err != nil {
			return err
		}
		if exit == 0 {
			exit = codes[i]
		}
	}
	if sig != 0 {
		signal.Reset()
		syscall.Kill(os.Getpid(), sig)
		time.Sleep(time.Second)
	}
	os.Exit(exit)
	return nil
}

func signalByName(s string) syscall.Signal {
	switch strings.TrimPrefix(strings.ToUpper(s), "SIG") {
	case "KILL":
		return syscall.SIGKILL
	case "INT":
		return syscall.SIGINT
	case "HUP":
		return syscall.SIGHUP
	}
	return syscall.SIGTERM
}

func readManifest() (*podManifest, error) {
	b, err := os.ReadFile("pod")
	if err != nil {
		return nil, err
	}
	var pm podManifest
	if err := json.Unmarshal(b, &pm); err != nil {
		return nil, fmt.Errorf("pod manifest: %w", err)
	}
	return &pm, nil
}

// interfaceVersion reads the stub's own declared version from the pod.
func interfaceVersion() (int, error) {
	b, err := os.ReadFile(filepath.Join("stage1", "manifest"))
	if err != nil {
		return 0, err
	}
	var m struct {
		Annotations []struct{ Name, Value string } `json:"annotations"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, err
	}
	for _, a := range m.Annotations {
		if a.Name == "coreos.com/rkt/stage1/interface-version" {
			return strconv.Atoi(a.Value)
		}
	}
	return 1, nil
}

// record writes a file in the pod dir atomically.
func record(name, content string) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
