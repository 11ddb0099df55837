package main

// Script commands for connection handling: timing how long the server
// takes to act.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// stopwatch NAME: starts (or restarts) the stopwatch NAME.
// stopwatch NAME -max DURATION: prints how long ago NAME was started and
// fails if that is more than DURATION.
func cmdStopwatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("stopwatch: unsupported: !")
	}
	switch {
	case len(args) == 1:
		ts.Setenv("STOPWATCH_"+args[0], strconv.FormatInt(time.Now().UnixNano(), 10))
	case len(args) == 3 && args[1] == "-max":
		ns, err := strconv.ParseInt(ts.Getenv("STOPWATCH_"+args[0]), 10, 64)
		if err != nil {
			ts.Fatalf("stopwatch: %s was never started", args[0])
		}
		limit, err := time.ParseDuration(args[2])
		ts.Check(err)
		took := time.Since(time.Unix(0, ns)).Round(100 * time.Millisecond)
		fmt.Fprintf(ts.Stdout(), "%s: %s\n", args[0], took)
		if took > limit {
			ts.Fatalf("stopwatch: %s took %s; want at most %s", args[0], took, limit)
		}
	default:
		ts.Fatalf("usage: stopwatch NAME | stopwatch NAME -max DURATION")
	}
}
