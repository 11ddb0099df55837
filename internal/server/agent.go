package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	gossh "golang.org/x/crypto/ssh"
)

// agentHub gives each login one stable agent socket,
// <data>/agents/<login>/agent.sock, that always reaches the agent the login
// forwarded most recently (ssh -A) on a connection that is still open. A
// session started days ago, with SSH_AUTH_SOCK pointing there, keeps working
// after every reconnect — the long-standing tmux annoyance. The socket
// exists only while the login has a forwarded agent, 0600. Its directory
// belongs to the server: 0700 in shared mode; in isolated mode 0711 so the
// login's programs pass through it, and the socket is the login's own. The
// socket appears there already 0600 and owned by the login (see listen).
type agentHub struct {
	dir    string
	logger *slog.Logger
	// owner is the uid/gid a login's socket is handed to; nil, or a nil
	// credential, keeps it the server's.
	owner func(login string) (*syscall.Credential, error)
	// dirMode is the mode of each login's directory.
	dirMode os.FileMode

	// mu guards the following.
	mu     sync.Mutex
	logins map[string]*agentLogin
}

// agentLogin is one login's socket and the connections that forward an agent.
type agentLogin struct {
	ln    net.Listener
	conns []*gossh.ServerConn // oldest first; the last is used
}

func newAgentHub(dir string, isolated bool, owner func(string) (*syscall.Credential, error), logger *slog.Logger) *agentHub {
	h := &agentHub{dir: dir, logger: logger, owner: owner, dirMode: 0o700, logins: map[string]*agentLogin{}}
	if isolated {
		h.dirMode = 0o711
	}
	return h
}

// dirOf is login's socket directory.
func (h *agentHub) dirOf(login string) string { return filepath.Join(h.dir, login) }

// prepare makes login's socket directory, owned by the server, so that a
// program started before any agent was forwarded already sees the place
// (a sandbox binds it).
func (h *agentHub) prepare(login string) error {
	for _, d := range []string{h.dir, h.dirOf(login)} {
		if err := os.Mkdir(d, h.dirMode); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("agent socket: %w", err)
		}
		fi, err := os.Lstat(d)
		if err != nil {
			return fmt.Errorf("agent socket: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("agent socket: %s is not a directory", d)
		}
		if fi.Mode().Perm() != h.dirMode {
			if err := os.Chmod(d, h.dirMode); err != nil {
				return fmt.Errorf("agent socket: %w", err)
			}
		}
	}
	return nil
}

// socketPath is login's stable agent socket.
func (h *agentHub) socketPath(login string) string {
	return filepath.Join(h.dir, login, "agent.sock")
}

// env is what a login's sessions get: SSH_AUTH_SOCK, always, so that an
// agent forwarded later is found by a program started earlier.
func (h *agentHub) env(login string) []string {
	return []string{"SSH_AUTH_SOCK=" + h.socketPath(login)}
}

// add makes conn login's current agent. The returned remove must be called
// when conn's session channel ends.
func (h *agentHub) add(login string, conn *gossh.ServerConn) (remove func(), err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	al := h.logins[login]
	if al == nil {
		ln, err := h.listen(login)
		if err != nil {
			return nil, err
		}
		al = &agentLogin{ln: ln}
		h.logins[login] = al
		// The accept loop ends when the listener is closed by remove.
		go h.serve(login, al)
	}
	al.conns = append(al.conns, conn)
	return func() { h.remove(login, conn) }, nil
}

// bindDirName is the server's private directory under the hub's, where
// each socket is made before it is moved into place. Logins never start
// with a dot.
const bindDirName = ".bind"

// listen makes login's socket with no moment at which anyone else can
// reach it: it is bound in a directory only the server may enter, given
// its mode (0600) and owner there, and only then renamed to its place,
// which an earlier socket left behind is atomically replaced in. Binding
// at the final path and chmod'ing after would leave the socket reachable,
// with whatever mode the server's umask gave it, until the chmod; and
// umask itself is process-wide, shared by every goroutine.
func (h *agentHub) listen(login string) (net.Listener, error) {
	if err := h.prepare(login); err != nil {
		return nil, err
	}
	private, err := h.privateDir()
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(private, login)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("agent socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("agent socket: %w", err)
	}
	// The socket file moves: remove deletes it at its final path.
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (net.Listener, error) {
		ln.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("agent socket: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fail(err)
	}
	if h.owner != nil {
		c, err := h.owner(login)
		if err == nil && c != nil {
			err = os.Lchown(tmp, int(c.Uid), int(c.Gid))
		}
		if err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, h.socketPath(login)); err != nil {
		return fail(err)
	}
	return ln, nil
}

// privateDir makes the directory sockets are bound in: the server's own,
// 0700, never entered by a login's programs.
func (h *agentHub) privateDir() (string, error) {
	d := filepath.Join(h.dir, bindDirName)
	if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("agent socket: %w", err)
	}
	fi, err := os.Lstat(d)
	if err != nil {
		return "", fmt.Errorf("agent socket: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Geteuid() {
		return "", fmt.Errorf("agent socket: %s is not the server's own directory", d)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(d, 0o700); err != nil {
			return "", fmt.Errorf("agent socket: %w", err)
		}
	}
	return d, nil
}

func (h *agentHub) remove(login string, conn *gossh.ServerConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	al := h.logins[login]
	if al == nil {
		return
	}
	for i, c := range al.conns {
		if c == conn {
			al.conns = append(al.conns[:i], al.conns[i+1:]...)
			break
		}
	}
	if len(al.conns) == 0 {
		al.ln.Close()
		if err := os.Remove(h.socketPath(login)); err != nil && !errors.Is(err, os.ErrNotExist) {
			h.logger.Warn("remove agent socket", "login", login, "err", err)
		}
		delete(h.logins, login)
	}
}

// current is the connection whose agent login's socket reaches now.
func (h *agentHub) current(login string) *gossh.ServerConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	if al := h.logins[login]; al != nil && len(al.conns) > 0 {
		return al.conns[len(al.conns)-1]
	}
	return nil
}

// serve proxies each local connection to the socket to an agent channel on
// login's current connection. It ends when the listener is closed.
func (h *agentHub) serve(login string, al *agentLogin) {
	for {
		local, err := al.ln.Accept()
		if err != nil {
			return
		}
		// The proxy ends when either side closes.
		go h.proxy(login, local)
	}
}

func (h *agentHub) proxy(login string, local net.Conn) {
	defer local.Close()
	conn := h.current(login)
	if conn == nil {
		return
	}
	ch, reqs, err := conn.OpenChannel("auth-agent@openssh.com", nil)
	if err != nil {
		h.logger.Debug("open agent channel", "login", login, "err", err)
		return
	}
	defer ch.Close()
	go gossh.DiscardRequests(reqs)
	done := make(chan struct{})
	// The copy towards the client's agent ends when the local side closes.
	go func() {
		_, _ = io.Copy(ch, local)
		_ = ch.CloseWrite()
		close(done)
	}()
	_, _ = io.Copy(local, ch)
	_ = local.(*net.UnixConn).CloseWrite()
	<-done
}
