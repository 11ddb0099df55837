package isolation

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const hostPasswd = `root:x:0:0:root:/root:/bin/bash
# a comment
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

+::::::
-@netgroup::::::
alice:x:1000:1000:Alice of the host:/home/alice:/bin/zsh
ghost:x:20001:20001::/home/ghost:/bin/sh
short:x:1001:1001
badid:x:one:1:::/bin/sh
`

const hostGroup = `root:x:0:
tty:x:5:
users:x:100:carol,dave
alice:x:1000:
ghost:x:20001:
`

func TestUserDB(t *testing.T) {
	acct := Account{Login: "alice", UID: 20001, GID: 20001, Isolated: true, Home: "/data/homes/alice", Shell: "/bin/bash"}
	tests := []struct {
		name                   string
		hostPasswd, hostGroup  string
		wantPasswd, wantGroups string
	}{
		{
			// Host entries stay, except those that would answer for the
			// login's name or id; comments, NIS lines and malformed lines go.
			name:       "host entries and the login's",
			hostPasswd: hostPasswd,
			hostGroup:  hostGroup,
			wantPasswd: "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nalice:x:20001:20001:alice:/data/homes/alice:/bin/bash\n",
			wantGroups: "root:x:0:\ntty:x:5:\nusers:x:100:carol,dave\nalice:x:20001:\n",
		},
		{
			name:       "no host files",
			wantPasswd: "alice:x:20001:20001:alice:/data/homes/alice:/bin/bash\n",
			wantGroups: "alice:x:20001:\n",
		},
		{
			name:       "CRLF and a missing last newline",
			hostPasswd: "root:x:0:0:root:/root:/bin/bash\r\nbin:x:2:2:bin:/bin:/usr/sbin/nologin",
			hostGroup:  "root:x:0:\r\n",
			wantPasswd: "root:x:0:0:root:/root:/bin/bash\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nalice:x:20001:20001:alice:/data/homes/alice:/bin/bash\n",
			wantGroups: "root:x:0:\nalice:x:20001:\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			passwd, group, err := userDB([]byte(tt.hostPasswd), []byte(tt.hostGroup), acct)
			if err != nil {
				t.Fatal(err)
			}
			if string(passwd) != tt.wantPasswd {
				t.Errorf("passwd: got %q; want %q", passwd, tt.wantPasswd)
			}
			if string(group) != tt.wantGroups {
				t.Errorf("group: got %q; want %q", group, tt.wantGroups)
			}
		})
	}
}

func TestUserDBRefuses(t *testing.T) {
	tests := []struct{ name, login, home string }{
		{"colon in the login", "al:ice", "/data/homes/al:ice"},
		{"comma in the login", "al,ice", "/data/homes/al,ice"},
		{"colon in the home", "alice", "/da:ta/homes/alice"},
		{"newline in the home", "alice", "/da\nta/homes/alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := Account{Login: tt.login, UID: 20001, GID: 20001, Home: tt.home, Shell: "/bin/sh"}
			if p, g, err := userDB(nil, nil, acct); err == nil {
				t.Errorf("got %q %q; want an error", p, g)
			}
		})
	}
}

// FuzzUserDB: whatever the host's files hold, the login's files are well
// formed, and the login's name and id answer only for the login.
func FuzzUserDB(f *testing.F) {
	f.Add([]byte(hostPasswd), []byte(hostGroup), "alice", uint32(20001))
	f.Add([]byte("::::::\n:x:20001:0:::\nroot:x:0:0:a:b:c:d\n"), []byte("a:b:c\n::::\n"), "bob", uint32(20000))
	f.Add([]byte("x\x00y:x:1:1:::\n\n\n"), []byte("#\n+x:x:1:\n"), "x", uint32(1))
	f.Fuzz(func(t *testing.T, hp, hg []byte, login string, id uint32) {
		if checkLogin(login) != nil {
			return
		}
		acct := Account{Login: login, UID: id, GID: id, Isolated: true, Home: "/data/homes/" + login, Shell: "/bin/sh"}
		passwd, group, err := userDB(hp, hg, acct)
		if err != nil {
			if checkEntryText("login", login) == nil {
				t.Fatalf("userDB(%q): %v", login, err)
			}
			return
		}
		ids := strconv.FormatUint(uint64(id), 10)
		for _, db := range []struct {
			name string
			body []byte
			n    int
		}{{"passwd", passwd, passwdFields}, {"group", group, groupFields}} {
			if !bytes.HasSuffix(db.body, []byte("\n")) {
				t.Fatalf("%s: %q does not end in a newline", db.name, db.body)
			}
			lines := strings.Split(strings.TrimSuffix(string(db.body), "\n"), "\n")
			mine := 0
			for _, line := range lines {
				fields := strings.Split(line, ":")
				if len(fields) != db.n || strings.ContainsAny(line, "\x00\r") {
					t.Fatalf("%s: malformed line %q", db.name, line)
				}
				if fields[0] == login || fields[2] == ids {
					mine++
				}
			}
			if mine != 1 {
				t.Fatalf("%s: %d lines answer for %s or id %d; want 1:\n%s", db.name, mine, login, id, db.body)
			}
		}
	})
}

func TestFindLib(t *testing.T) {
	base := reachableTempDir(t)
	empty, hasDir, has, private := filepath.Join(base, "empty"), filepath.Join(base, "dir"), filepath.Join(base, "has"), filepath.Join(base, "private")
	for _, d := range []string{empty, hasDir, has, private} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(hasDir, NSSWrapperLib), 0o755); err != nil {
		t.Fatal(err)
	}
	lib := writeFile(t, has, NSSWrapperLib, "ELF", 0o644)
	writeFile(t, private, NSSWrapperLib, "ELF", 0o600)
	tests := []struct {
		name    string
		dirs    []string
		want    string
		wantErr string
	}{
		{name: "found after a directory that lacks it", dirs: []string{empty, hasDir, has}, want: lib},
		{name: "missing", dirs: []string{empty, hasDir}, wantErr: "no " + NSSWrapperLib + " in " + empty + ", " + hasDir},
		{name: "other uids cannot read it", dirs: []string{private, has}, wantErr: "other uids cannot read it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findLib(NSSWrapperLib, tt.dirs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLibDirs(t *testing.T) {
	dirs := libDirs()
	for _, want := range []string{"/usr/lib64", "/usr/lib", "/usr/local/lib"} {
		if !slices.Contains(dirs, want) {
			t.Errorf("libDirs: got %q; want it to hold %q", dirs, want)
		}
	}
	if t1 := multiarch["amd64"]; t1 != "x86_64-linux-gnu" {
		t.Errorf("multiarch[amd64]: got %q; want x86_64-linux-gnu", t1)
	}
}

func TestPickShell(t *testing.T) {
	dir := t.TempDir()
	bash := writeFile(t, dir, "bash", "#!/bin/sh\n", 0o755)
	notExec := writeFile(t, dir, "zsh", "", 0o644)
	nologin := writeFile(t, dir, "nologin", "#!/bin/sh\n", 0o755)
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"the first installed", []string{filepath.Join(dir, "missing"), bash}, bash},
		{"not executable, not a login shell, not absolute", []string{notExec, nologin, "bash"}, "/bin/sh"},
		{"none", nil, "/bin/sh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pickShell(tt.candidates); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestHostShell(t *testing.T) {
	dir := t.TempDir()
	sh := writeFile(t, dir, "sh", "#!/bin/sh\n", 0o755)
	passwd := writeFile(t, dir, "passwd", "root:x:0:0:root:/root:"+sh+"\nwarren:x:999:999::/var/lib/warren:/usr/sbin/nologin\n", 0o644)
	tests := []struct {
		name string
		path string
		uid  uint32
		want string
	}{
		{"its entry's shell", passwd, 0, sh},
		{"a shell that refuses logins", passwd, 999, ""},
		{"no entry", passwd, 1234, ""},
		{"no passwd file", filepath.Join(dir, "missing"), 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hostShell(tt.path, tt.uid); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestSetEnv(t *testing.T) {
	tests := []struct {
		name       string
		env        []string
		key, value string
		want       []string
	}{
		{"added", []string{"A=1"}, "B", "2", []string{"A=1", "B=2"}},
		{"replaced, duplicates too", []string{"B=0", "A=1", "B=1"}, "B", "2", []string{"A=1", "B=2"}},
		{"a longer name is another variable", []string{"BB=1"}, "B", "2", []string{"BB=1", "B=2"}},
		{"empty", nil, "B", "", []string{"B="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.env)
			got := SetEnv(in, tt.key, tt.value)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if !slices.Equal(in, tt.env) {
				t.Errorf("SetEnv changed its argument: %q; was %q", in, tt.env)
			}
		})
	}
	if v, ok := LookupEnv([]string{"A=1", "AB=3", "A=2"}, "A"); !ok || v != "2" {
		t.Errorf("LookupEnv: got %q, %v; want the last value, 2", v, ok)
	}
	if v, ok := LookupEnv([]string{"AB=3"}, "A"); ok {
		t.Errorf("LookupEnv of a missing name: got %q, true", v)
	}
}

func TestProgramPath(t *testing.T) {
	reachable := reachableTempDir(t)
	private := filepath.Join(reachable, "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	const std = "/usr/local/bin:/usr/bin:/bin"
	tests := []struct {
		name, path, program string
		isolated            bool
		want                string
	}{
		{"already there", std, "/usr/bin/claude", true, std},
		{"already there, spelt otherwise", "/usr/bin/:/bin", "/usr/bin/claude", true, "/usr/bin/:/bin"},
		{"elsewhere and reachable", std, reachable + "/claude", true, std + ":" + reachable},
		{"elsewhere, out of a login's reach", std, private + "/claude", true, std},
		{"shared mode: the server's own reach", std, private + "/claude", false, std + ":" + private},
		{"not resolved", std, "claude", false, std},
		{"empty PATH", "", "/opt/claude/bin/claude", false, "/opt/claude/bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProgramPath(tt.path, tt.program, tt.isolated); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestNameEnv(t *testing.T) {
	iso := Account{Login: "alice", UID: testUID, GID: testUID, Isolated: true, Passwd: "/data/nss/alice/passwd", Group: "/data/nss/alice/group"}
	tests := []struct {
		name     string
		opts     Options
		acct     Account
		env      []string
		want     []string
		wantServ string
	}{
		{
			name:     "shared mode: the host's entries serve",
			opts:     Options{Mode: Shared, NamesDir: "/data/nss", NSSWrapper: "/usr/lib/libnss_wrapper.so"},
			acct:     Account{Login: "alice"},
			env:      []string{"PATH=/bin"},
			want:     []string{"PATH=/bin"},
			wantServ: NamesHost,
		},
		{
			name:     "isolated without nss_wrapper",
			opts:     Options{Mode: Isolated, NamesDir: "/data/nss"},
			acct:     iso,
			env:      []string{"PATH=/bin"},
			want:     []string{"PATH=/bin"},
			wantServ: NamesUnresolved,
		},
		{
			name:     "isolated with nss_wrapper",
			opts:     Options{Mode: Isolated, NamesDir: "/data/nss", NSSWrapper: "/usr/lib/libnss_wrapper.so"},
			acct:     iso,
			env:      []string{"PATH=/bin", "NSS_WRAPPER_PASSWD=/etc/passwd"},
			want:     []string{"PATH=/bin", "LD_PRELOAD=/usr/lib/libnss_wrapper.so", "NSS_WRAPPER_PASSWD=/data/nss/alice/passwd", "NSS_WRAPPER_GROUP=/data/nss/alice/group"},
			wantServ: NamesNSSWrapper,
		},
		{
			name:     "a library the operator preloads stays, after it",
			opts:     Options{Mode: Isolated, NamesDir: "/data/nss", NSSWrapper: "/usr/lib/libnss_wrapper.so"},
			acct:     iso,
			env:      []string{"LD_PRELOAD=/opt/lib/x.so"},
			want:     []string{"LD_PRELOAD=/usr/lib/libnss_wrapper.so:/opt/lib/x.so", "NSS_WRAPPER_PASSWD=/data/nss/alice/passwd", "NSS_WRAPPER_GROUP=/data/nss/alice/group"},
			wantServ: NamesNSSWrapper,
		},
		{
			name:     "isolated without a user database",
			opts:     Options{Mode: Isolated, NSSWrapper: "/usr/lib/libnss_wrapper.so"},
			acct:     Account{Login: "alice", UID: testUID, GID: testUID, Isolated: true},
			env:      nil,
			want:     nil,
			wantServ: NamesUnresolved,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Accounts{opts: tt.opts}
			if got := a.NameEnv(slices.Clone(tt.env), tt.acct); !slices.Equal(got, tt.want) {
				t.Errorf("NameEnv: got %q; want %q", got, tt.want)
			}
			if got := a.NameService(); got != tt.wantServ {
				t.Errorf("NameService: got %q; want %q", got, tt.wantServ)
			}
		})
	}
}

// namesAccounts returns isolated accounts with a user database under a
// directory every uid can reach, built from the host files above.
func namesAccounts(t *testing.T, lib string) (*Accounts, string) {
	t.Helper()
	base := reachableTempDir(t)
	hp := writeFile(t, base, "host-passwd", hostPasswd, 0o644)
	hg := writeFile(t, base, "host-group", hostGroup, 0o644)
	homes := filepath.Join(base, "homes")
	a := newAccounts(t, Options{
		Mode: Isolated, Range: DefaultRange, Allocator: newFakeAllocator(),
		Trees: []string{homes}, Homes: homes, NamesDir: filepath.Join(base, "nss"), NSSWrapper: lib,
		hostPasswd: hp, hostGroup: hg, shells: []string{"/bin/sh"},
	})
	return a, base
}

// TestAccountsNames: each login's user database is written on first use,
// as the login's to read and the server's to write, and names no other
// login.
func TestAccountsNames(t *testing.T) {
	requireRoot(t)
	a, base := namesAccounts(t, "")
	nss := filepath.Join(base, "nss")
	checkDir(t, nss, 0, 0, 0o711)
	for i, login := range []string{"alice", "bob"} {
		acct, err := a.Get(context.Background(), login)
		if err != nil {
			t.Fatalf("Get(%q): %v", login, err)
		}
		id := uint32(testUID + i)
		dir := filepath.Join(nss, login)
		want := Account{Login: login, UID: id, GID: id, Isolated: true, Home: filepath.Join(base, "homes", login), Shell: "/bin/sh",
			Passwd: filepath.Join(dir, "passwd"), Group: filepath.Join(dir, "group")}
		if acct != want {
			t.Errorf("Get(%q): got %+v; want %+v", login, acct, want)
		}
		checkDir(t, dir, 0, id, 0o750)
		for _, f := range []string{acct.Passwd, acct.Group} {
			if uid, gid, perm := owner(t, f); uid != 0 || gid != id || perm != 0o640 {
				t.Errorf("%s: got %d:%d %04o; want 0:%d 0640", f, uid, gid, perm, id)
			}
		}
		passwd, err := os.ReadFile(acct.Passwd)
		if err != nil {
			t.Fatal(err)
		}
		own := fmt.Sprintf("%s:x:%d:%d:%s:%s:/bin/sh\n", login, id, id, login, want.Home)
		if !strings.HasPrefix(string(passwd), "root:x:0:0:") || !strings.HasSuffix(string(passwd), own) {
			t.Errorf("%s: got %q; want the host's entries, then %q", acct.Passwd, passwd, own)
		}
		if login == "bob" && bytes.Contains(passwd, []byte("homes/alice")) {
			t.Errorf("bob's passwd holds alice's entry: %q", passwd)
		}
		group, err := os.ReadFile(acct.Group)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(string(group), fmt.Sprintf("\n%s:x:%d:\n", login, id)) {
			t.Errorf("%s: got %q; want it to end with the login's group", acct.Group, group)
		}
	}
	entries, err := os.ReadDir(filepath.Join(nss, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("alice's user database: got %d files; want passwd and group, nothing left aside", len(entries))
	}
}

// TestAccountsNamesRefuses: a symlink where a login's user database
// belongs is never followed, and a login that cannot stand in a passwd
// entry gets no account.
func TestAccountsNamesRefuses(t *testing.T) {
	requireRoot(t)
	a, base := namesAccounts(t, "")
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(base, "nss", "alice")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(context.Background(), "alice"); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Get with a symlink in place: got %v; want a not-a-directory error", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("the symlink was followed: %d files written through it", len(entries))
	}
	if _, err := a.Get(context.Background(), "car:ol"); err == nil {
		t.Error("Get(\"car:ol\"): got nil; want an error")
	}
	if _, err := NewAccounts(Options{Mode: Isolated, Allocator: newFakeAllocator(), Homes: "/da:ta/homes", NamesDir: filepath.Join(base, "nss2")}); err == nil {
		t.Error("NewAccounts with a HOME tree holding ':': got nil; want an error")
	}
}

// TestNamesResolve: a program run as the login's uid with NameEnv finds
// its own entry through nss_wrapper, none of another login's, and cannot
// change its files.
func TestNamesResolve(t *testing.T) {
	requireRoot(t)
	lib, err := FindNSSWrapper()
	if err != nil {
		t.Fatalf("needs nss_wrapper: apt-get install libnss-wrapper (.ci/run does): %v", err)
	}
	a, base := namesAccounts(t, lib)
	if _, err := a.Get(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	acct, err := a.Get(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	run := func(script string) string {
		t.Helper()
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.Dir = base
		cmd.Env = a.NameEnv([]string{"PATH=/usr/bin:/bin"}, acct)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.Credential()}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v: %s", script, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	tests := []struct{ name, script, want string }{
		{"id", "id", "uid=20001(alice) gid=20001(alice) groups=20001(alice)"},
		{"getent", "getent passwd 20001", "alice:x:20001:20001:alice:" + acct.Home + ":/bin/sh"},
		{"by name", "getent passwd alice", "alice:x:20001:20001:alice:" + acct.Home + ":/bin/sh"},
		{"the host's root", "getent passwd 0", "root:x:0:0:root:/root:/bin/bash"},
		{"the host's alice does not answer", "getent passwd 1000 || echo none", "none"},
		{"another login", "getent passwd bob || getent passwd 20000 || echo none", "none"},
		{"a group the host has", "getent group users", "users:x:100:carol,dave"},
		{"read-only", `{ echo x >> "$NSS_WRAPPER_PASSWD" || echo x >> "$NSS_WRAPPER_GROUP" || rm -f "$NSS_WRAPPER_PASSWD"; } 2>/dev/null && echo writable || echo read-only`, "read-only"},
		{"bob's files", `cat "` + filepath.Join(base, "nss", "bob", "passwd") + `" 2>/dev/null || echo denied`, "denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.script); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestSandboxBindsUserDB(t *testing.T) {
	s := Sandbox{Bwrap: "/usr/bin/bwrap", UID: testUID, GID: testUID, Passwd: "/data/nss/alice/passwd", Group: "/data/nss/alice//group"}
	cmd := exec.Command("/bin/sh")
	if err := s.Wrap(cmd); err != nil {
		t.Fatal(err)
	}
	want := []string{"--ro-bind", "/data/nss/alice/passwd", "/etc/passwd", "--ro-bind", "/data/nss/alice/group", "/etc/group", "--", "/bin/sh"}
	if got := cmd.Args[len(cmd.Args)-len(want):]; !slices.Equal(got, want) {
		t.Errorf("Args: got %q; want them to end with %q", cmd.Args, want)
	}
	cmd = exec.Command("/bin/sh")
	if err := (Sandbox{Bwrap: "/usr/bin/bwrap"}).Wrap(cmd); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(cmd.Args, "/etc/passwd") {
		t.Errorf("Args without a user database: got %q; want the host's /etc/passwd left alone", cmd.Args)
	}
}

// TestSandboxUserDB: inside the sandbox, the login's files are /etc/passwd
// and /etc/group, read-only, with no preload.
func TestSandboxUserDB(t *testing.T) {
	requireRoot(t)
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		t.Fatal("needs bubblewrap: apt-get install bubblewrap (.ci/run does)")
	}
	a, base := namesAccounts(t, "")
	if _, err := a.Get(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	acct, err := a.Get(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", `id; getent passwd bob || echo none; grep -c . /etc/passwd; { echo x >> /etc/passwd; } 2>/dev/null && echo writable || echo read-only`)
	cmd.Dir = base
	cmd.Env = a.NameEnv([]string{"PATH=/usr/bin:/bin"}, acct) // no nss_wrapper: unchanged
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.Credential()}
	sb := Sandbox{Bwrap: bwrap, Hide: []string{filepath.Join(base, "nss")}, UID: acct.UID, GID: acct.GID, Passwd: acct.Passwd, Group: acct.Group}
	if err := sb.Wrap(cmd); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%q: %v: %s", cmd.Args, err, out)
	}
	// root, nobody and alice: the host's entries kept, alice's own.
	want := "uid=20001(alice) gid=20001(alice) groups=20001(alice)\nnone\n3\nread-only\n"
	if string(out) != want {
		t.Errorf("got %q; want %q", out, want)
	}
}
