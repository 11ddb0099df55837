package server

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"charm.land/ssh"

	"github.com/warren-ssh/warren/internal/commands"
)

// panicSession is the part of a session channel recoverPanic touches.
type panicSession struct {
	ssh.Session // nil: any other method would panic the test
	stderr      bytes.Buffer
	exit        int
}

func (p *panicSession) Stderr() io.ReadWriter { return &p.stderr }
func (p *panicSession) Exit(code int) error   { p.exit = code; return nil }
func (p *panicSession) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242}
}

// P9: a panic in a session handler ends that channel with a one-line error
// and exit status 255; it is logged with its stack, and the server goes on.
func TestRecoverPanicEndsOnlyTheChannel(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{logger: slog.New(slog.NewTextHandler(&logs, nil))}
	sess := &panicSession{}
	h := s.recoverPanic(func(ssh.Session) { panic("boom") })
	h(sess) // must return, not crash the test binary
	if got := sess.stderr.String(); got != "warren: internal error\r\n" {
		t.Errorf("client saw %q", got)
	}
	if sess.exit != commands.ExitServer {
		t.Errorf("exit status %d; want %d", sess.exit, commands.ExitServer)
	}
	for _, want := range []string{`msg="panic in session handler"`, "panic=boom", "remote=127.0.0.1:4242", "middleware_test.go"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	// A handler that returns normally is left alone.
	calm := &panicSession{}
	s.recoverPanic(func(ssh.Session) {})(calm)
	if calm.stderr.Len() != 0 || calm.exit != 0 {
		t.Errorf("a calm handler got %q, exit %d", calm.stderr.String(), calm.exit)
	}
}
