// Command warren-session-exec is the first program of every session warren
// starts, already running as the login's own uid: it sets the umask and the
// resource limits that Go cannot set in a child before exec, then replaces
// itself with the session's program. warren installs it beside itself; it
// is not for people to run.
//
//	warren-session-exec [-umask 077] [-nproc N] [-nofile N] -- PATH ARGV0 [ARGS...]
package main

import (
	"os"

	"github.com/warren-ssh/warren/internal/isolation"
)

func main() { os.Exit(isolation.Shim(os.Args[1:], os.Stderr)) }
