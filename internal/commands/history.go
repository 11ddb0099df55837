package commands

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"unicode/utf8"
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
	// HistoryText returns what renders the history of login's workspace
	// name as text: a terminal screen model of the size its session last
	// had, passing each line to line.
	HistoryText(ctx context.Context, login, name string, line func([]byte) error) TextRenderer
}

// TextRenderer turns a terminal byte stream into the lines a terminal
// showed: each line as it scrolls off the top of the screen, then, on
// Close, the rows left on the screen. It holds a screen, not the stream. A
// line handed on must not be kept by the callee (the renderer reuses it);
// it carries no escape sequence, but the command still makes every rune of
// it safe to print. An error from the line func ends the rendering and
// comes back from Write and Close.
type TextRenderer interface {
	io.Writer
	Close() error
}

// History prints a workspace's session history: as plain text by default,
// rendered through a screen of the session's last size (what the screen
// showed, line by line, untrusted runes replaced), or byte for byte with
// --raw. It streams: the history is never read into memory.
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
			text := func(line func([]byte) error) TextRenderer {
				return h.HistoryText(ctx, env.Identity.Login, name, line)
			}
			st, err := renderHistory(stdout(env), src, *lines, text)
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
	maxRetained int  // the most bytes the ring held at once
}

// renderHistory renders r through the renderer text makes and writes the
// lines, made safe, to w: all of them when lines is 0, else the last lines
// of them.
func renderHistory(w io.Writer, r io.Reader, lines int, text func(line func([]byte) error) TextRenderer) (renderStats, error) {
	var st renderStats
	out := bufio.NewWriterSize(w, copyBuffer)
	var ring *lineRing
	var safe []byte
	emit := func(b []byte) error {
		safe = appendSafe(safe[:0], b)
		if ring != nil {
			ring.push(safe)
			st.maxRetained = max(st.maxRetained, ring.bytes)
			return nil
		}
		out.Write(safe)
		return out.WriteByte('\n')
	}
	if lines > 0 {
		ring = newLineRing(lines, ringBudget)
	}
	tr := text(emit)
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

// appendSafe appends the line b to dst with every rune that may not reach a
// terminal as it is (see field) replaced by '?'.
func appendSafe(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		if c := b[i]; c >= 0x20 && c < 0x7f {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if unsafeRune(r, n) {
			dst = append(dst, '?')
		} else {
			dst = append(dst, b[i:i+n]...)
		}
		i += n
	}
	return dst
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
