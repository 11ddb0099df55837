package server

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestListenHTTPUnix(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir, sock string)
		wantErr string // "" for success
	}{
		{name: "missing directory made 0700", setup: func(t *testing.T, dir, sock string) {}},
		{name: "stale socket replaced", setup: func(t *testing.T, dir, sock string) {
			mkdir(t, dir, 0o700)
			ln, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
			ln.Close() // as a killed server leaves it
		}},
		{name: "live socket refused", wantErr: "another server listens there", setup: func(t *testing.T, dir, sock string) {
			mkdir(t, dir, 0o700)
			ln, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
		}},
		{name: "regular file refused", wantErr: "exists and is not a socket", setup: func(t *testing.T, dir, sock string) {
			mkdir(t, dir, 0o700)
			if err := os.WriteFile(sock, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "symlink refused", wantErr: "exists and is not a socket", setup: func(t *testing.T, dir, sock string) {
			mkdir(t, dir, 0o700)
			if err := os.Symlink("/etc/passwd", sock); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "directory writable by others refused", wantErr: "can be written by others (mode 0777)", setup: func(t *testing.T, dir, sock string) {
			mkdir(t, dir, 0o777|fs.ModeSticky)
		}},
		{name: "directory of others refused", wantErr: "belongs to someone else", setup: func(t *testing.T, dir, sock string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to give a directory away")
			}
			mkdir(t, dir, 0o700)
			if err := os.Chown(dir, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}},
	}
	// Under umask 0 a socket bound without care would be 0777 for a moment.
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			sock := filepath.Join(dir, "http.sock")
			tt.setup(t, dir, sock)
			ln, err := listenHTTP("unix:" + sock)
			if tt.wantErr != "" {
				if err == nil {
					ln.Close()
					t.Fatalf("listenHTTP: no error; want %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("listenHTTP error %q; want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			for path, want := range map[string]fs.FileMode{dir: fs.ModeDir | 0o700, sock: fs.ModeSocket | 0o600} {
				fi, err := os.Lstat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode() != want {
					t.Errorf("%s: mode %v; want %v", path, fi.Mode(), want)
				}
			}
			c, err := net.Dial("unix", sock)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			c.Close()
		})
	}
}

// TestListenHTTPSocketModeAtBind checks that the socket file is 0600 from
// the moment bind makes it, under a umask that would leave it open: the
// mode is set on the socket before bind, not with a chmod after.
func TestListenHTTPSocketModeAtBind(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	events := inotifyEvents(t, dir, "http.sock")
	old := syscall.Umask(0)
	ln, err := listenHTTP("unix:" + filepath.Join(dir, "http.sock"))
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if got := events(); len(got) != 1 || got[0] != "create" {
		t.Errorf("events: %q; want only [\"create\"]: no chmod after bind", got)
	}
}

func mkdir(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}
