package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// raiseFileLimit lifts the soft RLIMIT_NOFILE to at least want (up to the
// hard limit). Children (warren, sshd and through it tmux) inherit it: the
// idle phase holds thousands of sockets and PTYs open at once.
func raiseFileLimit(want uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("get file limit: %w", err)
	}
	if lim.Cur >= want {
		return nil
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("raise file limit: %w", err)
	}
	if lim.Cur < want {
		return fmt.Errorf("raise file limit: hard limit %d is below the %d needed; lower -idle", lim.Max, want)
	}
	return nil
}

// checkPTYs fails early when the kernel has fewer free pseudo-terminals than
// the idle phase needs: warren's sessions stay open while sshd gives each
// tmux client a PTY and tmux each pane another.
func checkPTYs(idle int) error {
	read := func(name string) (int, error) {
		b, err := os.ReadFile("/proc/sys/kernel/pty/" + name)
		if err != nil {
			return 0, fmt.Errorf("check ptys: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, fmt.Errorf("check ptys: %w", err)
		}
		return n, nil
	}
	maxPTYs, err := read("max")
	if err != nil {
		return err
	}
	used, err := read("nr")
	if err != nil {
		return err
	}
	if need := 3*idle + 64; maxPTYs-used < need {
		return fmt.Errorf("check ptys: %d free pseudo-terminals, %d needed for -idle %d; lower -idle or raise kernel.pty.max", maxPTYs-used, need, idle)
	}
	return nil
}
