package main

// Commands for the scripts about the smaller walls between tenants: the
// agent socket's creation, the /healthz listener, the disk quota.

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// agentRace is a program a tenant runs against another login's agent
// socket (argv: SOCKET DIR): it tries to connect to SOCKET as fast as it
// can, and when a connection succeeds, asks the agent behind it for its
// keys (SSH_AGENTC_REQUEST_IDENTITIES). It writes what happened to
// DIR/result and ends when it connected, or when DIR/stop appears.
func agentRace() int {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: agentrace SOCKET DIR")
		return 2
	}
	path, dir := os.Args[1], os.Args[2]
	result := func(format string, args ...any) int {
		if err := os.WriteFile(filepath.Join(dir, "result"), fmt.Appendf(nil, format+"\n", args...), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	addr := &syscall.SockaddrUnix{Name: path}
	tries, denied := 0, 0
	for {
		// Raw syscalls: the window between the socket's bind and its chmod
		// is a few microseconds, and net.Dial costs more than that.
		fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		tries++
		if err := syscall.Connect(fd, addr); err != nil {
			syscall.Close(fd)
			if err == syscall.EACCES {
				denied++
			}
			if tries%4096 == 0 {
				if _, err := os.Stat(filepath.Join(dir, "stop")); err == nil {
					return result("agentrace: never connected in %d tries (%d refused for permission)", tries, denied)
				}
			}
			continue
		}
		f := os.NewFile(uintptr(fd), path)
		n, err := agentIdentities(f)
		f.Close()
		if err != nil {
			return result("agentrace: connected after %d tries, but: %v", tries, err)
		}
		return result("agentrace: connected after %d tries: the agent holds %d keys", tries, n)
	}
}

// agent-churn N KEY LOGIN AGENT DIR: N times, or until DIR/result exists,
// connects as LOGIN with KEY, forwarding the agent listening at AGENT, and
// runs whoami: each connection makes the login's agent socket anew.
func cmdAgentChurn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 5 {
		ts.Fatalf("usage: agent-churn N KEY LOGIN AGENT DIR")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	for i := 0; i < n; i++ {
		if _, err := os.Stat(ts.MkAbs(filepath.Join(args[4], "result"))); err == nil {
			fmt.Fprintf(ts.Stdout(), "agent-churn: stopped after %d connections\n", i)
			return
		}
		a := append([]string{"-o", "ForwardAgent=yes", "-o", "IdentityAgent=" + ts.MkAbs(args[3])}, sshArgs(ts, args[1], args[2])...)
		out, err := exec.Command(lookPath(ts, "ssh"), append(a, "whoami")...).CombinedOutput()
		if err != nil {
			ts.Fatalf("agent-churn: connection %d: %v\n%s", i, err, out)
		}
	}
	fmt.Fprintf(ts.Stdout(), "agent-churn: %d connections\n", n)
}

// agentIdentities asks an agent for its keys and returns how many it has.
func agentIdentities(rw io.ReadWriter) (int, error) {
	// uint32 length, then SSH_AGENTC_REQUEST_IDENTITIES (11).
	if _, err := rw.Write([]byte{0, 0, 0, 1, 11}); err != nil {
		return 0, err
	}
	var hdr [9]byte
	if _, err := io.ReadFull(rw, hdr[:5]); err != nil {
		return 0, err
	}
	if hdr[4] != 12 { // SSH_AGENT_IDENTITIES_ANSWER
		return 0, fmt.Errorf("agent answered message type %d", hdr[4])
	}
	if _, err := io.ReadFull(rw, hdr[5:9]); err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint32(hdr[5:9])), nil
}

// umaskPrefix is the command prefix that starts a program under umask
// mask (octal), for serve -umask.
func umaskPrefix(ts *testscript.TestScript, mask string) []string {
	if strings.Trim(mask, "01234567") != "" {
		ts.Fatalf("serve -umask %s: not an octal mask", mask)
	}
	return []string{lookPath(ts, "sh"), "-c", "umask " + mask + ` && exec "$@"`, "sh"}
}
