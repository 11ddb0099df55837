package main

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// ssh-until [-within DURATION] KEY LOGIN REGEXP COMMAND...: runs the real
// ssh client with COMMAND, again every 200 ms, until its stdout matches
// REGEXP (within DURATION, default the wait deadline); the matching run's
// stdout is the script's stdout. For state the server refreshes in the
// background, such as the git state ls shows.
func cmdSSHUntil(ts *testscript.TestScript, neg bool, args []string) {
	within := waitDeadline
	if len(args) >= 2 && args[0] == "-within" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		within, args = d, args[2:]
	}
	if neg || len(args) < 4 {
		ts.Fatalf("usage: ssh-until [-within DURATION] KEY LOGIN REGEXP COMMAND...")
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	a := append(sshArgs(ts, args[0], args[1]), args[3:]...)
	started := time.Now()
	var out string
	for {
		if err := ts.Exec("ssh", a...); err != nil {
			ts.Fatalf("ssh-until: %v: %s", err, ts.ReadFile("stderr"))
		}
		// ts.Exec left the command's stdout where stdout and cmp read it.
		if out = ts.ReadFile("stdout"); re.MatchString(out) {
			ts.Logf("ssh-until: matched after %s", time.Since(started).Round(10*time.Millisecond))
			return
		}
		if time.Since(started) > within {
			ts.Fatalf("ssh-until: no match for %q within %s; last stdout:\n%s", args[2], within, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// metric-grows NAME VAR N: waits until the server's NAME is at least N
// above $VAR (set by metric NAME VAR): for counters a background loop
// moves, such as the picker's refreshes.
func cmdMetricGrows(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: metric-grows NAME VAR N")
	}
	base, err := strconv.ParseFloat(ts.Getenv(args[1]), 64)
	ts.Check(err)
	n, err := strconv.ParseFloat(args[2], 64)
	ts.Check(err)
	deadline := time.Now().Add(waitDeadline)
	var v float64
	for time.Now().Before(deadline) {
		var ok bool
		if v, ok = readMetric(ts, args[0]); ok && v >= base+n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts.Fatalf("metric-grows %s: %v, not %v above %v after %s", args[0], v, n, base, waitDeadline)
}

// metric-same-growth [-allow N] NAME VAR OTHER OTHERVAR: waits until NAME
// has grown since $VAR (set by metric NAME VAR) by as much as OTHER since
// $OTHERVAR (or by at most N less), and by at least one: e.g. a
// histogram's fast bucket and its count, so that every observation since
// the two readings (all but N) was fast.
func cmdMetricSameGrowth(ts *testscript.TestScript, neg bool, args []string) {
	allow := 0.0
	if len(args) >= 2 && args[0] == "-allow" {
		n, err := strconv.ParseFloat(args[1], 64)
		ts.Check(err)
		allow, args = n, args[2:]
	}
	if neg || len(args) != 4 {
		ts.Fatalf("usage: metric-same-growth [-allow N] NAME VAR OTHER OTHERVAR")
	}
	base, err := strconv.ParseFloat(ts.Getenv(args[1]), 64)
	ts.Check(err)
	otherBase, err := strconv.ParseFloat(ts.Getenv(args[3]), 64)
	ts.Check(err)
	deadline := time.Now().Add(waitDeadline)
	var grew, otherGrew float64
	for time.Now().Before(deadline) {
		v, ok := readMetric(ts, args[0])
		o, otherOK := readMetric(ts, args[2])
		if grew, otherGrew = v-base, o-otherBase; ok && otherOK && grew >= 1 && grew >= otherGrew-allow {
			fmt.Fprintf(ts.Stdout(), "%s grew by %v, %s by %v\n", args[0], grew, args[2], otherGrew)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts.Fatalf("metric-same-growth: %s grew by %v, %s by %v (allowed %v less), after %s", args[0], grew, args[2], otherGrew, allow, waitDeadline)
}
