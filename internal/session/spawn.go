package session

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/creack/pty"
)

// spawnReq asks the spawner thread to start cmd.
type spawnReq struct {
	cmd   *exec.Cmd
	reply chan error
}

// spawnLoop starts every child of the Manager from one locked OS thread.
// Children get Pdeathsig=SIGKILL, which the kernel delivers when the thread
// that forked them exits — so that thread must live as long as any child:
// this goroutine locks it and never unlocks. It ends when Shutdown closes
// m.spawnQuit after every child has been reaped; the thread then exits with
// it.
func (m *Manager) spawnLoop() {
	defer close(m.spawnDone)
	runtime.LockOSThread()
	for {
		select {
		case req := <-m.spawnc:
			req.reply <- req.cmd.Start()
		case <-m.spawnQuit:
			return
		}
	}
}

// startProcess opens a PTY at size w, starts cmd on its slave as a session
// leader with the PTY as controlling terminal, and returns the master.
func (m *Manager) startProcess(cmd *exec.Cmd, w Window) (*os.File, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open pty: %w", err)
	}
	defer tty.Close()
	// pty.Open leaves the master in blocking mode; a pollable duplicate lets
	// Close unblock a pending Read and Write.
	master, err := pollable(ptmx)
	ptmx.Close()
	if err != nil {
		return nil, fmt.Errorf("open pty: %w", err)
	}
	if err := setWinsize(master, w); err != nil {
		master.Close()
		return nil, fmt.Errorf("set pty size: %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = 0 // the child's stdin
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	req := spawnReq{cmd: cmd, reply: make(chan error, 1)}
	select {
	case m.spawnc <- req:
		err = <-req.reply
	case <-m.spawnQuit:
		err = ErrClosed
	}
	if err != nil {
		master.Close()
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	return master, nil
}

// pollable returns a non-blocking, close-on-exec duplicate of f registered
// with the runtime poller.
func pollable(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd uintptr
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		nfd, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, err
	}
	if errno != 0 {
		return nil, fmt.Errorf("dup: %w", errno)
	}
	if err := syscall.SetNonblock(int(nfd), true); err != nil {
		syscall.Close(int(nfd))
		return nil, fmt.Errorf("set nonblock: %w", err)
	}
	return os.NewFile(nfd, "/dev/ptmx"), nil
}

// setWinsize sets the PTY size through the master without switching it to
// blocking mode (as (*os.File).Fd would).
func setWinsize(f *os.File, w Window) error {
	ws := pty.Winsize{Rows: uint16(w.Rows), Cols: uint16(w.Cols)}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// signalGroup sends sig to the process group pgid. A group that is already
// gone is not an error.
func signalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 0 {
		return nil
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal group %d: %w", pgid, err)
	}
	return nil
}

// exitCode turns a wait status into a shell-style code: the exit status, or
// 128+n for a death by signal n.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
	return ps.ExitCode()
}

// isEOF reports whether a PTY master read error means the slave side is
// gone: Linux returns EIO there, not io.EOF.
func isEOF(err error) bool {
	return errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrClosed) || errors.Is(err, syscall.EBADF) || errors.Is(err, io.EOF)
}
