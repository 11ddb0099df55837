package session

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// miniServer is a server in a separate process: it starts a session whose
// program ignores SIGHUP, prints "child PID" and waits to be killed.
func miniServer(dir string) int {
	fk := &fakes{}
	m, err := NewManager(Options{
		Command:      prog("ignorehup"),
		WorkspaceDir: func(l, w string) string { return dir + "/ws" },
		NewScreen:    fk.newScreen,
	})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	out := &termOut{}
	in := make(chan []byte)
	go func() {
		_, _ = m.Attach(context.Background(), Spec{Login: "alice", Workspace: "w"}, Client{Input: in, Output: out, Window: Window{Cols: 80, Rows: 24}})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if i := strings.Index(out.String(), "pid "); i >= 0 {
			if j := strings.Index(out.String()[i:], "\r\n"); j > 0 {
				fmt.Printf("child %s\n", out.String()[i+4:i+j])
				select {} // wait for SIGKILL
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println("error no pid")
	return 1
}

// TestServerKilledLeavesNoProgram: SIGKILL of the server must not leave the
// program running, even one that ignores SIGHUP (Pdeathsig from a locked
// spawner thread).
func TestServerKilledLeavesNoProgram(t *testing.T) {
	cmd := exec.Command(os.Args[0], progArg, "server", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "child ") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("mini server said %q (%v)", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "child ")))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("child %d not running before the kill: %v", pid, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return // gone and reaped
		}
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) && s[i+2] == 'Z' {
			return // dead; its new parent has yet to reap it
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("program %d still running after the server was killed: %q", pid, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
