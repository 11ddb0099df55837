package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// rssKiB returns the resident set size of process pid alone (VmRSS, children
// not included), in KiB.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	return parseVmRSS(string(b))
}

// parseVmRSS extracts VmRSS, in KiB, from the text of /proc/PID/status.
func parseVmRSS(status string) (int64, error) {
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("parse VmRSS %q: unexpected format", rest)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse VmRSS: %w", err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("parse VmRSS: no VmRSS line")
}

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
