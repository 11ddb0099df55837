package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// fakeClaude stands in for the Claude CLI in end-to-end scripts: it starts
// in milliseconds, says which conversation it was started for, answers
// lines, reports resizes, and can draw on the alternate screen.
//
//	fakeclaude [--session-id ID | --resume ID]
//
// Lines it understands: "exit N", "lines N" (prints N numbered lines),
// "wide N" (prints N numbered lines of 90 columns, see wideLine), "alt"
// (full-screen frame on the alternate screen), "main" (back), "footer" (an
// input box with two rows below it and the cursor left inside the box, as
// Claude Code draws its prompt), "words" (a status line whose words are
// placed by cursor moves, as Claude Code writes them), "env NAME" (prints
// NAME=value, or NAME unset), anything else is echoed as "you said: …".
//
// With FAKECLAUDE_TRANSCRIPTS=1 in its environment it keeps transcripts as
// Claude Code does, and refuses what Claude refuses: each line typed is a
// "user" record in $HOME/.claude/projects/<cwd, / as ->/<id>.jsonl;
// --resume ID needs such a record ("No conversation found"), --session-id
// ID needs no transcript at all ("already in use"), both exit 1. The line
// "torn" writes a transcript with no message yet, as Claude's first
// records are written just before the message.
func fakeClaude() int {
	args := os.Args[1:]
	var tr *fakeTranscript
	switch {
	case len(args) == 2 && args[0] == "--session-id":
		if tr = newFakeTranscript(args[1]); tr.exists() {
			fmt.Printf("Error: Session ID %s is already in use.\r\n", args[1])
			return 1
		}
		fmt.Printf("fakeclaude: new conversation %s\r\n", args[1])
	case len(args) == 2 && args[0] == "--resume":
		if tr = newFakeTranscript(args[1]); tr != nil && !tr.hasMessage() {
			fmt.Printf("No conversation found with session ID: %s\r\n", args[1])
			return 1
		}
		fmt.Printf("fakeclaude: resumed conversation %s\r\n", args[1])
	default:
		fmt.Printf("fakeclaude: args %q\r\n", args)
	}
	cols, rows, _ := term.GetSize(0)
	fmt.Printf("fakeclaude ready pid=%d size=%dx%d cwd=%s home=%s\r\n", os.Getpid(), cols, rows, cwd(), os.Getenv("HOME"))

	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	// The resize reporter ends when the process exits.
	go func() {
		for range winch {
			c, r, _ := term.GetSize(0)
			fmt.Printf("[resized to %dx%d]\r\n", c, r)
		}
	}()

	in := bufio.NewScanner(os.Stdin)
	fmt.Print("> ")
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		word, arg, _ := strings.Cut(line, " ")
		switch word {
		case "exit":
			n, _ := strconv.Atoi(arg)
			return n
		case "lines":
			n, _ := strconv.Atoi(arg)
			for i := 1; i <= n; i++ {
				fmt.Printf("line %d of %d\r\n", i, n)
			}
		case "wide":
			n, _ := strconv.Atoi(arg)
			for i := 1; i <= n; i++ {
				fmt.Printf("%s\r\n", wideLine(i))
			}
		case "alt":
			c, r, _ := term.GetSize(0)
			fmt.Print("\x1b[?1049h\x1b[2J\x1b[H\x1b[1;44m FULL SCREEN \x1b[0m")
			fmt.Printf("\x1b[%d;1H\x1b[7m status: %dx%d \x1b[0m\x1b[3;1H", r, c, r)
		case "main":
			fmt.Print("\x1b[?1049l")
		case "env":
			if v, ok := os.LookupEnv(arg); ok {
				fmt.Printf("%s=%s\r\n", arg, v)
			} else {
				fmt.Printf("%s unset\r\n", arg)
			}
		case "footer":
			fmt.Print("\x1b[38;5;244m┌──────────────────────┐\x1b[39m\r\n" +
				"│ > draft in the box   │\r\n" +
				"\x1b[38;5;244m└──────────────────────┘\x1b[39m\r\n" +
				"\x1b[7m  footer row one \x1b[27m\r\n" +
				"  footer row two")
			// Up into the box, after its prompt: no new prompt below.
			fmt.Print("\x1b[3A\x1b[5G")
			continue
		case "words":
			// Column moves (CHA) and forward moves (CUF) between words,
			// nothing written where the spaces show.
			fmt.Print("\x1b[3G\x1b[38;5;220m⏵⏵\x1b[6Gauto\x1b[11Gmode\x1b[16Gon\x1b[39m" +
				"\x1b[1C(shift+tab\x1b[1Cto\x1b[1Ccycle)\r\n")
		case "torn":
			tr.write(`{"type":"mode","mode":"normal"}`)
		default:
			tr.write(`{"type":"user","message":{"role":"user","content":` + strconv.Quote(line) + `}}`)
			fmt.Printf("you said: %s\r\n", line)
		}
		fmt.Print("> ")
	}
	return 0
}

// wideLine is line i of "wide": 90 columns whose start, columns 58-60 and
// 61-63, and end carry distinct markers (S07, M07, X07, E07 for line 7),
// so that a terminal 60 columns wide that shows the line cut at its width
// shows S07 and M07 and neither X07 nor E07.
func wideLine(i int) string {
	n := fmt.Sprintf("%02d", i%100)
	return "S" + n + strings.Repeat("-", 54) + "M" + n + "X" + n + strings.Repeat("-", 24) + "E" + n
}

func cwd() string {
	d, _ := os.Getwd()
	return d
}

// fakeTranscript is fakeclaude's transcript of one conversation, when it
// keeps them (FAKECLAUDE_TRANSCRIPTS=1); a nil one keeps nothing.
type fakeTranscript struct{ path string }

func newFakeTranscript(id string) *fakeTranscript {
	if os.Getenv("FAKECLAUDE_TRANSCRIPTS") != "1" {
		return nil
	}
	project := strings.ReplaceAll(cwd(), "/", "-")
	return &fakeTranscript{path: filepath.Join(os.Getenv("HOME"), ".claude", "projects", project, id+".jsonl")}
}

func (t *fakeTranscript) exists() bool {
	if t == nil {
		return false
	}
	_, err := os.Stat(t.path)
	return err == nil
}

func (t *fakeTranscript) hasMessage() bool {
	b, _ := os.ReadFile(t.path)
	return strings.Contains(string(b), `{"type":"user"`)
}

// write appends one record.
func (t *fakeTranscript) write(record string) {
	if t == nil {
		return
	}
	_ = os.MkdirAll(filepath.Dir(t.path), 0o700)
	f, err := os.OpenFile(t.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(record + "\n")
}
