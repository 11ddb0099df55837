package tui

import (
	"fmt"
	"time"
)

// ago renders how long before now t was: "just now", "3m ago", "2h ago",
// "4d ago"; "" for the zero time.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	}
	return t.Format("2 Jan 2006")
}

// stateText describes w's session: "running · 2 attached", "detached 5m
// ago", "exited (3) 1h ago", "restored", "stopped 2m ago", "failed (127)
// 1m ago", "no session".
func stateText(w Workspace, now time.Time, sep string) string {
	since := func(s string) string {
		if a := ago(now, w.Since); a != "" {
			return s + " " + a
		}
		return s
	}
	switch w.State {
	case Running:
		if w.Clients > 0 {
			return fmt.Sprintf("running%s%d attached", sep, w.Clients)
		}
		return "running"
	case Detached:
		return since("detached")
	case Exited:
		return since(fmt.Sprintf("exited (%d)", w.ExitCode))
	case Restored:
		return "restored"
	case Stopped:
		return since("stopped")
	case Failed:
		return since(fmt.Sprintf("failed (%d)", w.ExitCode))
	}
	return "no session"
}
