package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// inotifyEvents watches dir and returns a function that reports, in order,
// the events the kernel queued since for the entry name.
func inotifyEvents(t *testing.T, dir, name string) func() []string {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	mask := uint32(syscall.IN_CREATE | syscall.IN_ATTRIB | syscall.IN_MOVED_TO | syscall.IN_DELETE)
	if _, err := syscall.InotifyAddWatch(fd, dir, mask); err != nil {
		t.Fatalf("inotify watch %s: %v", dir, err)
	}
	names := []struct {
		bit  uint32
		name string
	}{{syscall.IN_CREATE, "create"}, {syscall.IN_ATTRIB, "attrib"}, {syscall.IN_MOVED_TO, "moved_to"}, {syscall.IN_DELETE, "delete"}}
	return func() []string {
		var got []string
		buf := make([]byte, 64<<10)
		for {
			n, err := syscall.Read(fd, buf)
			if errors.Is(err, syscall.EAGAIN) {
				return got
			}
			if err != nil {
				t.Fatalf("read inotify: %v", err)
			}
			for off := 0; off+syscall.SizeofInotifyEvent <= n; {
				ev := buf[off : off+syscall.SizeofInotifyEvent]
				mask := binary.NativeEndian.Uint32(ev[4:8])
				nameLen := int(binary.NativeEndian.Uint32(ev[12:16]))
				raw := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+nameLen]
				off += syscall.SizeofInotifyEvent + nameLen
				if string(bytes.TrimRight(raw, "\x00")) != name {
					continue
				}
				for _, b := range names {
					if mask&b.bit != 0 {
						got = append(got, b.name)
					}
				}
			}
		}
	}
}

// TestAgentSocketNoWindow checks that a login's socket appears at its path
// already with its final mode and owner: the only event there is the
// rename into place, never a creation followed by a change of attributes
// (the moment in between, another tenant could connect).
func TestAgentSocketNoWindow(t *testing.T) {
	var want *syscall.Credential
	if os.Geteuid() == 0 {
		want = &syscall.Credential{Uid: 4242, Gid: 4242}
	}
	owner := func(string) (*syscall.Credential, error) { return want, nil }
	tests := []struct {
		name  string
		stale bool // a socket file from an earlier listener is there
	}{
		{name: "fresh"},
		{name: "replaces a stale socket", stale: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "agents")
			h := newAgentHub(dir, want != nil, owner, slog.New(slog.DiscardHandler))
			if err := h.prepare("alice"); err != nil {
				t.Fatal(err)
			}
			path := h.socketPath("alice")
			if tt.stale {
				ln, err := h.listen("alice")
				if err != nil {
					t.Fatal(err)
				}
				ln.Close()
				if _, err := os.Lstat(path); err != nil {
					t.Fatalf("stale socket: %v", err)
				}
			}
			events := inotifyEvents(t, h.dirOf("alice"), "agent.sock")
			ln, err := h.listen("alice")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			got := events()
			if len(got) != 1 || got[0] != "moved_to" {
				t.Errorf("events at %s: %q; want only [\"moved_to\"]: the socket must never be visible before its mode and owner are set", path, got)
			}
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
				t.Errorf("socket mode %v; want a socket, 0600", fi.Mode())
			}
			st := fi.Sys().(*syscall.Stat_t)
			wantUID := uint32(os.Geteuid())
			if want != nil {
				wantUID = want.Uid
			}
			if st.Uid != wantUID {
				t.Errorf("socket uid %d; want %d", st.Uid, wantUID)
			}
			// The moved socket still reaches the listener.
			accepted := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
				if err == nil {
					c.Close()
				}
				accepted <- err
			}()
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Fatalf("dial the moved socket: %v", err)
			}
			c.Close()
			if err := <-accepted; err != nil {
				t.Fatalf("accept: %v", err)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, bindDirName, "*")); len(left) != 0 {
				t.Errorf("left in the private directory: %q", left)
			}
		})
	}
}

// TestAgentPrivateDirRefused checks that the directory sockets are bound
// in must be the server's own directory.
func TestAgentPrivateDirRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, private string)
	}{
		{"symlink", func(t *testing.T, private string) {
			if err := os.Symlink(t.TempDir(), private); err != nil {
				t.Fatal(err)
			}
		}},
		{"file", func(t *testing.T, private string) {
			if err := os.WriteFile(private, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "agents")
			h := newAgentHub(dir, false, nil, slog.New(slog.DiscardHandler))
			if err := h.prepare("alice"); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, filepath.Join(dir, bindDirName))
			if ln, err := h.listen("alice"); err == nil {
				ln.Close()
				t.Fatalf("listen with %s as the private directory: no error", tt.name)
			}
			if _, err := os.Lstat(h.socketPath("alice")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("socket made anyway: %v", err)
			}
		})
	}
}
