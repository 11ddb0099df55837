package tui

import (
	"bytes"
	"context"
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

	// validateMsg carries a Source.ValidateName result for request seq;
	// submit means the user pressed enter and waits for it.
	validateMsg struct {
		seq    int
		value  string
		err    error
		submit bool
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
		name string
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
		name      string
		err       error
		cancelled bool
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
		return validateMsg{seq: seq, value: value, err: src.ValidateName(value), submit: submit}
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
	mu      sync.Mutex
	last    string // the last complete, non-blank line
	partial []byte // bytes after the last \r or \n
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

// run returns the command that calls Clone under a child of ctx, and sets
// the job's cancel (esc) before the command can start. The command closes
// done when Clone returns.
func (j *cloneJob) run(ctx context.Context, src Source) tea.Cmd {
	ctx, cancel := context.WithCancel(ctx)
	j.cancel = cancel
	return func() tea.Msg {
		defer cancel()
		defer close(j.done)
		err := src.Clone(ctx, j.name, j.url, j)
		return cloneDoneMsg{id: j.id, name: j.name, err: err, cancelled: ctx.Err() != nil && err != nil}
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
