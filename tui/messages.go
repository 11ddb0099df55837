package tui

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Messages from the model's commands back to Update.
type (
	// tickMsg is the periodic refresh.
	tickMsg struct{}

	// workspacesMsg carries a Source.Workspaces result.
	workspacesMsg struct {
		gen  int
		list []Workspace
		err  error
	}

	// validateMsg carries a Source.ValidateName result for request seq:
	// the name value would make, or what is wrong with it; submit means
	// the user pressed enter and waits for it.
	validateMsg struct {
		seq    int
		value  string
		name   string
		err    error
		submit bool
	}

	// suggestMsg carries a Source.SuggestName result for request seq.
	suggestMsg struct {
		seq  int
		name string
	}

	// previewMsg carries a Source.Preview result for the request seq.
	previewMsg struct {
		seq   int
		name  string
		lines []string
	}

	// doneMsg reports a finished Create, Delete, Stop or Restart.
	doneMsg struct {
		op   string // "create", "delete", "stop", "restart"
		name string // for a create that succeeded, the name made
		err  error
	}

	// cloneProgressMsg carries the last line git printed for clone job id.
	cloneProgressMsg struct {
		id   int
		line string
		done bool // the clone returned; stop waiting for progress
	}

	// cloneDoneMsg reports the end of clone job id.
	cloneDoneMsg struct {
		id        int
		name      string // the name made, when it succeeded
		err       error
		cancelled bool
		summary   string // what was received: "36 objects, 420.00 KiB"; may be ""
	}
)

// Timeouts for Source calls, so that a stuck Source cannot leave the picker
// waiting forever. Clone has none: esc cancels it.
const (
	loadTimeout = 10 * time.Second // Workspaces
	opTimeout   = 2 * time.Minute  // Create, Delete, Stop, Restart
)

func loadCmd(ctx context.Context, src Source) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, loadTimeout)
		defer cancel()
		list, err := src.Workspaces(ctx)
		return workspacesMsg{list: list, err: err}
	}
}

func previewCmd(src Source, seq int, name string, cols, rows int) tea.Cmd {
	return func() tea.Msg {
		return previewMsg{seq: seq, name: name, lines: src.Preview(name, cols, rows)}
	}
}

func validateCmd(src Source, seq int, value string, submit bool) tea.Cmd {
	return func() tea.Msg {
		name, err := src.ValidateName(value)
		return validateMsg{seq: seq, value: value, name: name, err: err, submit: submit}
	}
}

func suggestCmd(src Source, seq int, url string) tea.Cmd {
	return func() tea.Msg {
		return suggestMsg{seq: seq, name: src.SuggestName(url)}
	}
}

func createCmd(ctx context.Context, src Source, name string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		made, err := src.Create(ctx, name)
		if err == nil {
			name = made
		}
		return doneMsg{op: "create", name: name, err: err}
	}
}

func opCmd(ctx context.Context, op, name string, fn func(context.Context, string) error) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		return doneMsg{op: op, name: name, err: fn(ctx, name)}
	}
}

// cloneJob is one running Source.Clone. It is the progress writer handed to
// the Source, keeping the last line git printed (git redraws its progress
// with \r) and waking the model's progress command, coalescing bursts.
type cloneJob struct {
	id     int
	name   string
	url    string
	cancel context.CancelFunc
	notify chan struct{} // capacity 1: "a new line is ready"
	done   chan struct{} // closed when Clone returns

	// mu guards the following.
	mu       sync.Mutex
	last     string // the last complete, non-blank line
	partial  []byte // bytes after the last \r or \n
	received string // the last complete "Receiving objects:" line
}

// maxProgressLine bounds the partial line a misbehaving writer can grow.
const maxProgressLine = 4096

func newCloneJob(id int, name, url string) *cloneJob {
	return &cloneJob{id: id, name: name, url: url, notify: make(chan struct{}, 1), done: make(chan struct{})}
}

// Write records complete lines; it never blocks on the model.
func (j *cloneJob) Write(p []byte) (int, error) {
	j.mu.Lock()
	changed := false
	for _, c := range p {
		if c == '\r' || c == '\n' {
			if line := string(bytes.TrimSpace(j.partial)); line != "" {
				j.last = line
				changed = true
				if strings.HasPrefix(line, "Receiving objects:") {
					j.received = line
				}
			}
			j.partial = j.partial[:0]
			continue
		}
		if len(j.partial) < maxProgressLine {
			j.partial = append(j.partial, c)
		}
	}
	j.mu.Unlock()
	if changed {
		select {
		case j.notify <- struct{}{}:
		default: // a wake-up is already pending; it will read the newest line
		}
	}
	return len(p), nil
}

func (j *cloneJob) line() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if p := string(bytes.TrimSpace(j.partial)); p != "" {
		return p
	}
	return j.last
}

// receivedLine is git's count of what a clone received: "Receiving
// objects: 100% (36/36), 420.00 KiB | 1.2 MiB/s, done." (the size is
// missing when git was quick).
var receivedLine = regexp.MustCompile(`^Receiving objects: +\d+% \((\d+)/\d+\)(?:, ([0-9.]+ [KMGT]?i?B))?`)

// summary says what the clone received, from git's last count of it: "36
// objects, 420.00 KiB"; "" when git reported none.
func (j *cloneJob) summary() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	m := receivedLine.FindStringSubmatch(j.received)
	switch {
	case m == nil:
		return ""
	case m[1] == "1" && m[2] == "":
		return "1 object"
	case m[2] == "":
		return m[1] + " objects"
	case m[1] == "1":
		return "1 object, " + m[2]
	}
	return m[1] + " objects, " + m[2]
}

// run returns the command that calls Clone under a child of ctx, and sets
// the job's cancel (esc) before the command can start. The command closes
// done when Clone returns.
func (j *cloneJob) run(ctx context.Context, src Source) tea.Cmd {
	ctx, cancel := context.WithCancel(ctx)
	j.cancel = cancel
	return func() tea.Msg {
		defer cancel()
		defer close(j.done)
		made, err := src.Clone(ctx, j.name, j.url, j)
		msg := cloneDoneMsg{id: j.id, name: j.name, err: err, cancelled: ctx.Err() != nil && err != nil}
		if err == nil {
			msg.name, msg.summary = made, j.summary()
		}
		return msg
	}
}

// waitProgress waits for the next progress line or the end of the clone.
// Update issues it again after every progress message until done.
func (j *cloneJob) waitProgress() tea.Cmd {
	return func() tea.Msg {
		select {
		case <-j.notify:
			return cloneProgressMsg{id: j.id, line: j.line()}
		case <-j.done:
			return cloneProgressMsg{id: j.id, line: j.line(), done: true}
		}
	}
}
