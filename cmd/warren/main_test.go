package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as `warren` and as the small programs
// the scripts run inside sessions, so scripts exercise the real binary as
// separate processes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"warren":     func() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) },
		"fakeclaude": func() { os.Exit(fakeClaude()) },
		"agentrace":  func() { os.Exit(agentRace()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: a real warren
// on 127.0.0.1, a local HTTP server in GitHub's place, and the real OpenSSH
// client (inside tmux where a terminal is needed).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Setup:               setupScript,
		Cmds:                scriptCommands(),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}
