package isolation

// A login's programs look their uid up: bash's prompt, whoami and id, git
// for an author, ssh for the user name and the ~ of ~/.ssh, Python's pwd,
// Node's os.userInfo. In isolated mode no passwd file of the host names the
// login's uid, and warren does not write the host's (the image's root file
// system is read-only, and a login would see the others' names there). So
// each login gets a user database of its own: a passwd and a group file
// with the host's entries and the login's own, in NamesDir/<login>/, which
// the login can read but not change. Its programs read them through
// nss_wrapper (LD_PRELOAD=libnss_wrapper.so with NSS_WRAPPER_PASSWD and
// NSS_WRAPPER_GROUP, see NameEnv), or, inside the bubblewrap sandbox, bound
// over /etc/passwd and /etc/group (Sandbox.Passwd), which serves every
// program, statically linked ones too.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
)

// NSSWrapperLib is nss_wrapper's preload library (Debian package
// libnss-wrapper).
const NSSWrapperLib = "libnss_wrapper.so"

// multiarch are Debian's library directory names by GOARCH.
var multiarch = map[string]string{
	"amd64":   "x86_64-linux-gnu",
	"arm64":   "aarch64-linux-gnu",
	"386":     "i386-linux-gnu",
	"arm":     "arm-linux-gnueabihf",
	"ppc64le": "powerpc64le-linux-gnu",
	"s390x":   "s390x-linux-gnu",
	"riscv64": "riscv64-linux-gnu",
}

// libDirs are where distributions install libraries: Debian's multiarch
// directories first, then Fedora's, Arch's and Alpine's, then local ones.
func libDirs() []string {
	var dirs []string
	if t := multiarch[runtime.GOARCH]; t != "" {
		dirs = append(dirs, "/usr/lib/"+t, "/lib/"+t)
	}
	return append(dirs, "/usr/lib64", "/usr/lib", "/lib64", "/lib", "/usr/local/lib")
}

// FindNSSWrapper returns the path of libnss_wrapper.so, which every uid must
// be able to read, or an error that says where it looked.
func FindNSSWrapper() (string, error) {
	return findLib(NSSWrapperLib, libDirs())
}

func findLib(name string, dirs []string) (string, error) {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if fi.Mode().Perm()&0o004 == 0 {
			return "", fmt.Errorf("%s has mode %04o: other uids cannot read it", p, fi.Mode().Perm())
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return "", err
		}
		if err := searchable(filepath.Dir(real)); err != nil {
			return "", err
		}
		return p, nil
	}
	return "", fmt.Errorf("no %s in %s", name, strings.Join(dirs, ", "))
}

// loginShells are the shells a login's entry may name, best first.
var loginShells = []string{"/bin/bash", "/bin/sh"}

// pickShell returns the first of candidates that is an executable file,
// else /bin/sh.
func pickShell(candidates []string) string {
	for _, s := range candidates {
		if usableShell(s) {
			return s
		}
	}
	return "/bin/sh"
}

// usableShell reports whether s can run a login's commands: an executable
// file, and not one of the shells that refuse logins.
func usableShell(s string) bool {
	if !filepath.IsAbs(s) {
		return false
	}
	switch filepath.Base(s) {
	case "nologin", "false":
		return false
	}
	fi, err := os.Stat(s)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// hostShell returns the shell of uid's entry in the passwd file at path,
// or "" when it has none, or none usable.
func hostShell(path string, uid uint32) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, f := range entries(b, passwdFields) {
		if f[2] == strconv.FormatUint(uint64(uid), 10) {
			if usableShell(f[6]) {
				return f[6]
			}
			return ""
		}
	}
	return ""
}

// Fields of a passwd line (name:password:uid:gid:gecos:home:shell) and of a
// group line (name:password:gid:members).
const (
	passwdFields = 7
	groupFields  = 4
)

// entries returns the lines of a passwd- or group-format file that are
// entries of n fields with a numeric id, split at ':'. Comments, blank
// lines, NIS compat lines ("+", "-") and anything malformed are left out:
// nss_wrapper and a sandbox's libc are not to trip on them.
func entries(b []byte, n int) [][]string {
	var out [][]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' || strings.ContainsAny(line, "\x00\r") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != n || f[0] == "" {
			continue
		}
		if _, err := strconv.ParseUint(f[2], 10, 32); err != nil {
			continue
		}
		out = append(out, f)
	}
	return out
}

// merge returns the entries of host (n fields each) that neither have name
// nor id, one a line, followed by own: a login's entry wins over a host
// account of the same name, and no host entry can claim the login's id.
func merge(host []byte, n int, name string, id uint32, own string) []byte {
	ids := strconv.FormatUint(uint64(id), 10)
	var b bytes.Buffer
	for _, f := range entries(host, n) {
		if f[0] == name || f[2] == ids {
			continue
		}
		b.WriteString(strings.Join(f, ":"))
		b.WriteByte('\n')
	}
	b.WriteString(own)
	b.WriteByte('\n')
	return b.Bytes()
}

// checkEntryText refuses a value that cannot stand in a passwd field.
func checkEntryText(what, s string) error {
	if strings.ContainsAny(s, ":,\n\r\x00") {
		return fmt.Errorf("%s %q cannot stand in a passwd entry (it holds ':', ',' or a line break)", what, s)
	}
	return nil
}

// userDB returns acct's passwd and group files: the host's entries and
// acct's own.
func userDB(hostPasswd, hostGroup []byte, acct Account) (passwd, group []byte, err error) {
	if err := checkEntryText("login", acct.Login); err != nil {
		return nil, nil, err
	}
	if err := checkEntryText("home", acct.Home); err != nil {
		return nil, nil, err
	}
	own := fmt.Sprintf("%s:x:%d:%d:%s:%s:%s", acct.Login, acct.UID, acct.GID, acct.Login, acct.Home, acct.Shell)
	passwd = merge(hostPasswd, passwdFields, acct.Login, acct.UID, own)
	group = merge(hostGroup, groupFields, acct.Login, acct.GID, fmt.Sprintf("%s:x:%d:", acct.Login, acct.GID))
	return passwd, group, nil
}

// tmpSeq names the files writeNames writes aside before it renames them.
var tmpSeq atomic.Uint64

// writeNames writes acct's user database into NamesDir/<login>/ and sets
// acct.Passwd and acct.Group to its files. The directory is the server's
// with the login's group, 0750, and the files 0640: the login reads them and
// cannot change, replace or remove them. The files are written aside and
// renamed into place, so a program never reads half of one.
func (a *Accounts) writeNames(acct *Account) error {
	hostPasswd, err := os.ReadFile(a.opts.hostPasswd)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("user database: %w", err)
	}
	hostGroup, err := os.ReadFile(a.opts.hostGroup)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("user database: %w", err)
	}
	passwd, group, err := userDB(hostPasswd, hostGroup, *acct)
	if err != nil {
		return fmt.Errorf("user database: %w", err)
	}
	top, err := os.OpenRoot(a.opts.NamesDir)
	if err != nil {
		return fmt.Errorf("user database: %w", err)
	}
	defer top.Close()
	name := acct.Login
	if err := top.Mkdir(name, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("user database: %w", err)
	}
	fi, err := top.Lstat(name)
	if err != nil {
		return fmt.Errorf("user database: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("user database: %s is not a directory (%s)", filepath.Join(a.opts.NamesDir, name), fi.Mode().Type())
	}
	owner := os.Getuid()
	if err := top.Lchown(name, owner, int(acct.GID)); err != nil {
		return fmt.Errorf("user database: %w", err)
	}
	if err := top.Chmod(name, 0o750); err != nil {
		return fmt.Errorf("user database: %w", err)
	}
	dir, err := top.OpenRoot(name)
	if err != nil {
		return fmt.Errorf("user database: %w", err)
	}
	defer dir.Close()
	for _, f := range []struct {
		file string
		body []byte
	}{{"passwd", passwd}, {"group", group}} {
		if err := writeOwned(dir, f.file, f.body, owner, int(acct.GID)); err != nil {
			return fmt.Errorf("user database: %s: %w", filepath.Join(a.opts.NamesDir, name, f.file), err)
		}
	}
	acct.Passwd = filepath.Join(a.opts.NamesDir, name, "passwd")
	acct.Group = filepath.Join(a.opts.NamesDir, name, "group")
	return nil
}

// writeOwned replaces dir/name by a file holding body, owned by uid:gid,
// mode 0640.
func writeOwned(dir *os.Root, name string, body []byte, uid, gid int) error {
	tmp := fmt.Sprintf(".%s-%d-%d", name, os.Getpid(), tmpSeq.Add(1))
	f, err := dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Chown(uid, gid)
	}
	if err == nil {
		err = f.Chmod(0o640)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = dir.Rename(tmp, name)
	}
	if err != nil {
		_ = dir.Remove(tmp) // ours, half-made; the error is what matters
		return err
	}
	return nil
}

// NameEnv returns env with what acct's programs need to resolve acct's uid
// through its own files with nss_wrapper: LD_PRELOAD (before any library
// env preloads already), NSS_WRAPPER_PASSWD and NSS_WRAPPER_GROUP. env is
// returned unchanged in shared mode, where the host's entry serves, and
// when nss_wrapper is not installed.
func (a *Accounts) NameEnv(env []string, acct Account) []string {
	if !acct.Isolated || acct.Passwd == "" || a.opts.NSSWrapper == "" {
		return env
	}
	preload := a.opts.NSSWrapper
	if old, ok := LookupEnv(env, "LD_PRELOAD"); ok && old != "" {
		preload += ":" + old
	}
	env = SetEnv(env, "LD_PRELOAD", preload)
	env = SetEnv(env, "NSS_WRAPPER_PASSWD", acct.Passwd)
	return SetEnv(env, "NSS_WRAPPER_GROUP", acct.Group)
}

// Name services, as NameService reports them.
const (
	// NamesHost: the host's own entries serve (shared mode).
	NamesHost = "host"
	// NamesNSSWrapper: each login's own files, through nss_wrapper.
	NamesNSSWrapper = "nss_wrapper"
	// NamesUnresolved: isolated mode without nss_wrapper; only a sandbox,
	// which binds the files over /etc/passwd, resolves a login's uid.
	NamesUnresolved = "unresolved"
)

// NameService says how a login's programs resolve its uid to a name.
func (a *Accounts) NameService() string {
	switch {
	case a.opts.Mode != Isolated:
		return NamesHost
	case a.opts.NamesDir != "" && a.opts.NSSWrapper != "":
		return NamesNSSWrapper
	}
	return NamesUnresolved
}

// LookupEnv returns the value of key in env (KEY=VALUE entries; the last
// one wins, as in exec.Cmd).
func LookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// SetEnv returns env with key set to value: every entry of key is dropped
// and one appended.
func SetEnv(env []string, key, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// ProgramPath returns path (a PATH value) with the directory of program
// (an absolute path) appended when path lacks it and, in isolated mode, a
// login's uid can pass through it: a session program that lives outside
// the standard directories finds itself, and the login its tools.
func ProgramPath(path, program string, isolated bool) string {
	if !filepath.IsAbs(program) {
		return path
	}
	dir := filepath.Dir(program)
	for _, d := range filepath.SplitList(path) {
		if filepath.Clean(d) == dir {
			return path
		}
	}
	if isolated && CheckReachable(dir, false) != nil {
		return path
	}
	if path == "" {
		return dir
	}
	return path + string(filepath.ListSeparator) + dir
}
