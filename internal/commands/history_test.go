package commands

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"testing"
)

// smallHistory, as lineFake renders it: three lines, the last one with an
// escape sequence left in for the command to make safe.
const smallHistory = "$ make\r\nok 10%\rok 100%\r\n\x1b]0;pwn\x07last\x1b[K"

func historyRouter(h *fakeHistory) func() (*Router, *[]string) {
	return func() (*Router, *[]string) {
		return NewRouter(History(h)), &h.opened
	}
}

func TestHistory(t *testing.T) {
	h := &fakeHistory{src: map[string]func() io.Reader{
		"alice/web":    bytesReader(smallHistory),
		"alice/unsafe": bytesReader("a\u202eb\u009bc\xffd\x00e\u00a0f\n"),
		"bob/secret":   bytesReader("bob's secret\n"),
	}}
	const usage = "usage: history NAME [--lines N] [--raw]\n"
	runCases(t, historyRouter(h), []cmdCase{
		{name: "text", id: alice, argv: []string{"history", "web"}, wantStdout: "$ make\nok 100%\n?]0;pwn?last?[K\n"},
		{name: "text on a pty gets crlf", id: alice, pty: true, argv: []string{"history", "web"}, wantStdout: "$ make\r\nok 100%\r\n?]0;pwn?last?[K\r\n"},
		{name: "unsafe runes are replaced", id: alice, argv: []string{"history", "unsafe"}, wantStdout: "a?b?c?d?e\u00a0f\n"},
		{name: "last lines", id: alice, argv: []string{"history", "web", "--lines", "2"}, wantStdout: "ok 100%\n?]0;pwn?last?[K\n"},
		{name: "flag before the name", id: alice, argv: []string{"history", "--lines", "1", "web"}, wantStdout: "?]0;pwn?last?[K\n"},
		{name: "more lines than there are", id: alice, argv: []string{"history", "--lines=100000", "web"}, wantStdout: "$ make\nok 100%\n?]0;pwn?last?[K\n"},
		{name: "raw is byte for byte", id: alice, argv: []string{"history", "web", "--raw"}, wantStdout: smallHistory},
		{name: "raw on a pty is byte for byte too", id: alice, pty: true, argv: []string{"history", "--raw", "web"}, wantStdout: smallHistory},
		{name: "missing", id: alice, argv: []string{"history", "nope"}, wantCode: 1, wantStderr: "warren: history: nope: not found\n"},
		{name: "another login's is just as missing", id: alice, argv: []string{"history", "secret"}, wantCode: 1,
			wantStderr: "warren: history: secret: not found\n"},
		{name: "no name", id: alice, argv: []string{"history"}, wantCode: 2, wantStderr: "warren: history: history takes one workspace name\n" + usage},
		{name: "zero lines", id: alice, argv: []string{"history", "web", "--lines", "0"}, wantCode: 2,
			wantStderr: "warren: history: --lines takes a number from 1 to 100000\n" + usage},
		{name: "too many lines", id: alice, argv: []string{"history", "web", "--lines", "100001"}, wantCode: 2,
			wantStderr: "warren: history: --lines takes a number from 1 to 100000\n" + usage},
		{name: "lines not a number", id: alice, argv: []string{"history", "web", "--lines", "x"}, wantCode: 2,
			wantStderr: "warren: history: invalid value \"x\" for flag -lines: parse error\n" + usage},
		{name: "lines and raw", id: alice, argv: []string{"history", "web", "--lines", "3", "--raw"}, wantCode: 2,
			wantStderr: "warren: history: --lines and --raw do not go together\n" + usage},
	})
	if h.closed != len(filter(h.opened, func(s string) bool { return strings.HasPrefix(s, "alice/") && s != "alice/nope" && s != "alice/secret" })) {
		t.Errorf("closed %d histories; want every one of %q opened", h.closed, h.opened)
	}
}

func filter(s []string, keep func(string) bool) []string {
	var out []string
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// TestHistoryLarge streams multi-MiB generated histories through the
// command: --raw must be byte-exact and reads must stay small (the
// generator fails the test on a large read, which io.ReadAll would make).
func TestHistoryLarge(t *testing.T) {
	const frames = 160000 // over 8 MiB
	gen := func() io.Reader { return &genReader{t: t, lines: frames, maxRead: copyBuffer} }
	h := &fakeHistory{src: map[string]func() io.Reader{"alice/web": gen}}
	r := NewRouter(History(h))

	t.Run("raw", func(t *testing.T) {
		want := sha256.New()
		n, err := io.Copy(want, gen())
		if err != nil || n < 8<<20 {
			t.Fatalf("generator: %d bytes, %v; want 8 MiB or more", n, err)
		}
		got := sha256.New()
		code := r.Run(t.Context(), Env{Identity: alice, Stdout: got, Stderr: io.Discard}, []string{"history", "web", "--raw"})
		if code != 0 || string(got.Sum(nil)) != string(want.Sum(nil)) {
			t.Errorf("got code %d, sha256 %x; want 0, %x", code, got.Sum(nil), want.Sum(nil))
		}
	})
	t.Run("last lines", func(t *testing.T) {
		var out strings.Builder
		code := r.Run(t.Context(), Env{Identity: alice, Stdout: &out, Stderr: io.Discard}, []string{"history", "web", "--lines", "2"})
		if want := "line 159999 done\nline 160000 done\n"; code != 0 || out.String() != want {
			t.Errorf("got %d %q; want 0 %q", code, out.String(), want)
		}
	})
	t.Run("all lines", func(t *testing.T) {
		var out countingWriter
		code := r.Run(t.Context(), Env{Identity: alice, Stdout: &out, Stderr: io.Discard}, []string{"history", "web"})
		if want := len("line 1 done\n"); code != 0 || !strings.HasPrefix(out.tail.String(), "line 1 done\nline 2 done\n") || out.n < frames*want {
			t.Errorf("got %d, %d bytes starting %q; want 0 and %d lines", code, out.n, out.tail.String()[:min(40, out.tail.Len())], frames)
		}
	})
}

func TestHistoryRingBudgetNote(t *testing.T) {
	// Lines of 1 KiB, 20000 of them asked for: 20 MiB is past the 16 MiB budget.
	line := strings.Repeat("x", 1023) + "\n"
	h := &fakeHistory{src: map[string]func() io.Reader{"alice/web": func() io.Reader {
		return io.LimitReader(&repeatReader{s: line}, int64(len(line))*20000)
	}}}
	var out countingWriter
	var errb strings.Builder
	code := NewRouter(History(h)).Run(t.Context(), Env{Identity: alice, Stdout: &out, Stderr: &errb}, []string{"history", "web", "--lines", "20000"})
	kept := ringBudget / (len(line) - 1)
	if want := fmt.Sprintf("warren: history: only the last %d lines fit in 16 MiB\n", kept); code != 0 || errb.String() != want {
		t.Errorf("got %d %q; want 0 %q", code, errb.String(), want)
	}
	if want := kept * len(line); out.n != want {
		t.Errorf("got %d bytes; want %d", out.n, want)
	}
}

// repeatReader repeats s forever.
type repeatReader struct {
	s   string
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.s[r.off:])
		n += c
		r.off = (r.off + c) % len(r.s)
	}
	return n, nil
}
