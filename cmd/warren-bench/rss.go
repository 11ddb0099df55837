package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
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
