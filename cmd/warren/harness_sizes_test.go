package main

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// tmux-row [-within DURATION] NAME ROWS REGEXP: waits until every row in
// ROWS (one 1-based row, or FIRST-LAST) of window NAME's screen matches
// REGEXP (with !, until one of them no longer does). Rows are read as the
// terminal shows them, trailing blanks cut and wrapped lines not joined, so
// a line the terminal wrapped shows as two rows.
func cmdTmuxRow(ts *testscript.TestScript, neg bool, args []string) {
	within := waitDeadline
	if len(args) >= 2 && args[0] == "-within" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		within, args = d, args[2:]
	}
	if len(args) != 3 {
		ts.Fatalf("usage: tmux-row [-within DURATION] NAME ROWS REGEXP")
	}
	first, last, err := parseRows(args[1])
	if err != nil {
		ts.Fatalf("tmux-row: %v", err)
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	deadline := time.Now().Add(within)
	var screen string
	for time.Now().Before(deadline) {
		out, err := tmuxOf(ts).run("capture-pane", "-p", "-t", args[0]+":")
		if err != nil {
			ts.Fatalf("tmux-row: capture-pane %s: %v: %s", args[0], err, out)
		}
		screen = out
		rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		all := true
		for r := first; r <= last; r++ {
			row := ""
			if r <= len(rows) {
				row = strings.TrimRight(rows[r-1], " ")
			}
			if !re.MatchString(row) {
				all = false
				break
			}
		}
		if all != neg {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("tmux-row: window %s rows %s: want match=%v for %q within %s; screen:\n%s", args[0], args[1], !neg, args[2], within, numbered(screen))
}

// parseRows reads "N" or "FIRST-LAST" (1-based, inclusive).
func parseRows(s string) (first, last int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if first, err = strconv.Atoi(a); err != nil {
		return 0, 0, err
	}
	last = first
	if isRange {
		if last, err = strconv.Atoi(b); err != nil {
			return 0, 0, err
		}
	}
	if first < 1 || last < first {
		return 0, 0, strconv.ErrRange
	}
	return first, last, nil
}

// numbered prefixes each row of a screen with its 1-based number.
func numbered(screen string) string {
	rows := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
	for i, r := range rows {
		rows[i] = strconv.Itoa(i+1) + "|" + r
	}
	return strings.Join(rows, "\n")
}
