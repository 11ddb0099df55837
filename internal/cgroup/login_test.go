package cgroup

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLogin(t *testing.T) {
	k := serviceKernel(t)
	tr := openFake(t, k, service, true)
	sessions := service + "/warren-sessions"
	start := len(k.calls())

	for _, step := range []struct {
		name      string
		limits    Limits
		pids, mem string
	}{
		{name: "create", limits: Limits{Pids: 100, MemoryBytes: 1 << 30}, pids: "100", mem: "1073741824"},
		{name: "update", limits: Limits{Pids: 50, MemoryBytes: 512 << 20}, pids: "50", mem: "536870912"},
		{name: "lift", limits: Limits{}, pids: "max", mem: "max"},
	} {
		f, err := tr.Login("alice", step.limits)
		if err != nil {
			t.Fatalf("%s: Login: %v", step.name, err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil {
			t.Fatalf("%s: fstat: %v", step.name, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			t.Errorf("%s: Login returned mode %o; want a directory", step.name, st.Mode)
		}
		if got, want := f.Name(), filepath.Join(k.root, sessions, "alice"); got != want {
			t.Errorf("%s: Login returned %q; want %q", step.name, got, want)
		}
		f.Close()
		checkFiles(t, k, map[string]string{
			sessions + "/alice/pids.max":   step.pids,
			sessions + "/alice/memory.max": step.mem,
		})
	}
	checkCalls(t, k, append(k.calls()[:start:start],
		"mkdir "+sessions+"/alice",
		"write "+sessions+"/alice/pids.max 100",
		"write "+sessions+"/alice/memory.max 1073741824",
		"mkdir "+sessions+"/alice",
		"write "+sessions+"/alice/pids.max 50",
		"write "+sessions+"/alice/memory.max 536870912",
		"mkdir "+sessions+"/alice",
		"write "+sessions+"/alice/pids.max max",
		"write "+sessions+"/alice/memory.max max",
	))
}

func TestLoginWithoutMemory(t *testing.T) {
	k := serviceKernel(t)
	tr := openFake(t, k, service, false)
	f, err := tr.Login("bob", Limits{Pids: 7})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	f.Close()
	checkFiles(t, k, map[string]string{
		service + "/warren-sessions/bob/pids.max":   "7",
		service + "/warren-sessions/bob/memory.max": "<missing>",
	})
	if _, err := tr.Login("bob", Limits{MemoryBytes: 1 << 20}); !errors.Is(err, ErrInvalidLimits) {
		t.Errorf("Login with memory on a pids-only tree: %v; want ErrInvalidLimits", err)
	}
}

func TestLoginInvalid(t *testing.T) {
	k := serviceKernel(t)
	tr := openFake(t, k, service, true)
	start := k.calls()
	for _, tc := range []struct {
		name  string
		login string
		l     Limits
		want  error
	}{
		{name: "empty", login: "", want: ErrInvalidLogin},
		{name: "dot", login: ".", want: ErrInvalidLogin},
		{name: "dotdot", login: "..", want: ErrInvalidLogin},
		{name: "slash", login: "a/b", want: ErrInvalidLogin},
		{name: "escape", login: "../../etc", want: ErrInvalidLogin},
		{name: "nul", login: "a\x00b", want: ErrInvalidLogin},
		{name: "newline", login: "a\nb", want: ErrInvalidLogin},
		{name: "interface file", login: "cgroup.procs", want: ErrInvalidLogin},
		{name: "too long", login: strings.Repeat("a", 256), want: ErrInvalidLogin},
		{name: "negative pids", login: "alice", l: Limits{Pids: -1}, want: ErrInvalidLimits},
		{name: "negative memory", login: "alice", l: Limits{MemoryBytes: -1}, want: ErrInvalidLimits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tr.Login(tc.login, tc.l)
			if f != nil {
				f.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("Login(%q) = %v; want %v", tc.login, err, tc.want)
			}
			if tc.want == ErrInvalidLogin {
				if err := tr.Remove(tc.login); !errors.Is(err, ErrInvalidLogin) {
					t.Errorf("Remove(%q) = %v; want ErrInvalidLogin", tc.login, err)
				}
			}
		})
	}
	checkCalls(t, k, start)
	if _, err := tr.Login(strings.Repeat("a", 255), Limits{}); err != nil {
		t.Errorf("Login of a 255-byte name: %v", err)
	}
}

func TestRemove(t *testing.T) {
	k := serviceKernel(t)
	tr := openFake(t, k, service, false)
	alice := service + "/warren-sessions/alice"
	f, err := tr.Login("alice", Limits{Pids: 10})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	f.Close()

	k.put(alice+"/cgroup.procs", "4242\n")
	if err := tr.Remove("alice"); !errors.Is(err, unix.EBUSY) {
		t.Errorf("Remove with a process left = %v; want EBUSY", err)
	}
	if k.get(alice+"/pids.max") != "10" {
		t.Errorf("busy cgroup lost its limit")
	}

	k.put(alice+"/cgroup.procs", "")
	if err := tr.Remove("alice"); err != nil {
		t.Errorf("Remove = %v; want nil", err)
	}
	if got := k.get(alice + "/pids.max"); got != "<missing>" {
		t.Errorf("after Remove, pids.max = %q; want it gone", got)
	}
	if err := tr.Remove("alice"); err != nil {
		t.Errorf("Remove of a missing cgroup = %v; want nil", err)
	}
}

// Login and Remove from many goroutines leave a consistent tree (run with
// -race).
func TestLoginConcurrent(t *testing.T) {
	k := serviceKernel(t)
	tr := openFake(t, k, service, false)
	done := make(chan error)
	for i := range 8 {
		// Each goroutine ends after its loop and reports once.
		go func() {
			login := fmt.Sprintf("u%d", i%2)
			for range 20 {
				f, err := tr.Login(login, Limits{Pids: int64(i + 1)})
				if err != nil {
					done <- err
					return
				}
				f.Close()
				if err := tr.Remove(login); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
