package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	xterm "golang.org/x/term"
)

// The helper is the program every benchmark session runs, on both servers.
// Its output protocol is shared with the measuring side through these
// constants.
const (
	readyLine   = "<<READY>>\r\n" // printed once the terminal is raw
	tickLineLen = 32              // bytes of one tick line, "\r\n" included
)

// endMarker is what flood prints after the k-th burst (k counts from 1).
func endMarker(k int) string { return fmt.Sprintf("<<END-%d>>", k) }

// tickLine formats tick line seq, written micros after the trigger.
func tickLine(seq int, micros int64) string {
	return fmt.Sprintf("T%08d %012d        \r\n", seq, micros)
}

// runHelper runs the session program named by args[0] or, when args is
// empty (warren's --command has no per-session arguments), by the name of
// the working directory, which warren sets to the workspace.
func runHelper(args []string) error {
	mode := ""
	if len(args) > 0 {
		mode = args[0]
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("helper: %w", err)
		}
		mode = filepath.Base(wd)
	}
	switch {
	case mode == "echo":
		return helperEcho()
	case strings.Contains(mode, "flood-"):
		_, num, _ := strings.Cut(mode, "flood-")
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return fmt.Errorf("helper: flood size: %w", err)
		}
		return helperFlood(n)
	case strings.HasPrefix(mode, "tick-"):
		ms, err := strconv.Atoi(strings.TrimPrefix(mode, "tick-"))
		if err != nil {
			return fmt.Errorf("helper: tick interval: %w", err)
		}
		return helperTick(time.Duration(ms) * time.Millisecond)
	default:
		cat, err := exec.LookPath("cat")
		if err != nil {
			return fmt.Errorf("helper: %w", err)
		}
		return syscall.Exec(cat, []string{"cat"}, os.Environ())
	}
}

// makeRaw puts the session's terminal in raw mode (no echo, no line
// buffering, no output processing) and says so with readyLine.
func makeRaw() error {
	if _, err := xterm.MakeRaw(int(os.Stdin.Fd())); err != nil {
		return fmt.Errorf("helper: raw mode: %w", err)
	}
	_, err := io.WriteString(os.Stdout, readyLine)
	return err
}

// helperEcho is cat in raw mode: every byte comes back as soon as it is read.
func helperEcho() error {
	if err := makeRaw(); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	for {
		n, err := os.Stdin.Read(buf)
		if n > 0 {
			if _, werr := os.Stdout.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err != nil {
			return nil // EOF or hang-up: the session is over
		}
	}
}

// floodBlock returns about 1 MiB of random base64 in 76-column lines.
func floodBlock() []byte {
	raw := make([]byte, 57)
	var b []byte
	for len(b) < 1<<20 {
		_, _ = rand.Read(raw)
		b = base64.StdEncoding.AppendEncode(b, raw)
		b = append(b, '\r', '\n')
	}
	return b
}

// helperFlood writes n bytes and then an end marker for every byte it
// reads, until its input ends.
func helperFlood(n int64) error {
	if err := makeRaw(); err != nil {
		return err
	}
	block := floodBlock()
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	in := make([]byte, 1)
	for k := 1; ; k++ {
		if _, err := os.Stdin.Read(in); err != nil {
			return nil
		}
		for left := n; left > 0; {
			chunk := block[:min(int64(len(block)), left)]
			if _, err := out.Write(chunk); err != nil {
				return err
			}
			left -= int64(len(chunk))
		}
		if _, err := fmt.Fprintf(out, "\r\n%s\r\n", endMarker(k)); err != nil {
			return err
		}
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

// helperTick waits for one input byte, then writes a numbered line carrying
// its time since the trigger every interval, until it is killed.
func helperTick(interval time.Duration) error {
	if err := makeRaw(); err != nil {
		return err
	}
	if _, err := os.Stdin.Read(make([]byte, 1)); err != nil {
		return nil
	}
	start := time.Now()
	t := time.NewTicker(interval)
	defer t.Stop()
	for seq := 0; ; seq++ {
		line := tickLine(seq, time.Since(start).Microseconds())
		if _, err := io.WriteString(os.Stdout, line); err != nil {
			return nil // the server (and with it the terminal) is gone
		}
		<-t.C
	}
}
