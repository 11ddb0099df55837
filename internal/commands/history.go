package commands

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// History limits.
const (
	maxHistoryLines = 100000
	// ringBudget bounds the bytes --lines keeps; past it older lines go
	// even when fewer than N are kept, and a note says so.
	ringBudget = 16 << 20
	copyBuffer = 32 << 10
)

// HistorySource is what the history command needs.
type HistorySource interface {
	// OpenRaw streams the whole on-disk history of login's workspace
	// name, oldest first. A workspace that does not exist and another
	// login's workspace give the same error, wrapping ErrNotFound.
	OpenRaw(ctx context.Context, login, name string) (io.ReadCloser, error)
}

// History prints a workspace's session history: as plain text by default
// (escape sequences and control characters removed, overwritten lines
// collapsed to their last version), or byte for byte with --raw. It streams:
// the history is never read into memory.
func History(h HistorySource) Command {
	return Command{
		Name:    "history",
		Args:    "NAME [--lines N] [--raw]",
		Summary: "print NAME's session history as text (last N lines), or raw bytes",
		Run: func(ctx context.Context, env Env, args []string) error {
			fs := newFlags("history")
			lines := fs.Int("lines", 0, "")
			raw := fs.Bool("raw", false, "")
			name, err := oneName(fs, args, "history")
			if err != nil {
				return err
			}
			linesSet := isFlagSet(fs, "lines")
			if linesSet && (*lines < 1 || *lines > maxHistoryLines) {
				return Usagef("--lines takes a number from 1 to %d", maxHistoryLines)
			}
			if linesSet && *raw {
				return Usagef("--lines and --raw do not go together")
			}
			rc, err := h.OpenRaw(ctx, env.Identity.Login, name)
			if err != nil {
				return named(name, err)
			}
			defer rc.Close()
			src := ctxReader{ctx: ctx, r: rc}
			if *raw {
				// Byte for byte: no CRLF translation, whatever the PTY.
				_, err := io.CopyBuffer(env.Stdout, src, make([]byte, copyBuffer))
				return err
			}
			st, err := renderHistory(stdout(env), src, *lines)
			if err != nil {
				return err
			}
			if st.trimmed {
				fmt.Fprintf(stderr(env), "warren: history: only the last %d lines fit in %d MiB\n", st.kept, ringBudget>>20)
			}
			return nil
		},
	}
}

// renderStats is what renderHistory reports, for the note and for tests.
type renderStats struct {
	kept        int  // lines kept by --lines
	trimmed     bool // --lines kept fewer than asked, for the byte budget
	maxRetained int  // the most bytes renderer and ring held at once
}

// renderHistory writes r as plain text lines to w: all of them when lines
// is 0, else the last lines of them.
func renderHistory(w io.Writer, r io.Reader, lines int) (renderStats, error) {
	var st renderStats
	out := bufio.NewWriterSize(w, copyBuffer)
	var ring *lineRing
	var tr *textRenderer
	if lines == 0 {
		tr = newTextRenderer(func(b []byte) error {
			out.Write(b)
			return out.WriteByte('\n')
		})
	} else {
		ring = newLineRing(lines, ringBudget)
		tr = newTextRenderer(func(b []byte) error {
			ring.push(b)
			st.maxRetained = max(st.maxRetained, ring.bytes+tr.retained())
			return nil
		})
	}
	st.maxRetained = tr.retained()
	if _, err := io.CopyBuffer(tr, r, make([]byte, copyBuffer)); err != nil {
		return st, err
	}
	if err := tr.Close(); err != nil {
		return st, err
	}
	if ring != nil {
		st.kept, st.trimmed = ring.n, ring.trimmed
		err := ring.each(func(s string) error {
			out.WriteString(s)
			return out.WriteByte('\n')
		})
		if err != nil {
			return st, err
		}
	}
	return st, out.Flush()
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
