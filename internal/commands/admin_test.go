package commands

import (
	"strings"
	"testing"
	"time"
)

func newFakeAdmin() *fakeAdmin {
	return &fakeAdmin{
		users: []UserInfo{
			{Login: "alice", LastLogin: t0, Keys: 2, Sessions: 1, UID: 20000},
			{Login: "boss", Admin: true, Keys: 1},
			{Login: "eve", Keys: 3, Conflicts: []UserConflict{
				{Fingerprint: "SHA256:held", KeyConflict: KeyConflict{HeldBy: "boss"}},
				{Fingerprint: "SHA256:listed", KeyConflict: KeyConflict{HeldBy: "alice", Takeable: true}},
				{Fingerprint: "SHA256:tie", KeyConflict: KeyConflict{Contested: true, Takeable: true}},
			}},
		},
		sessions: []SessionInfo{
			{Login: "alice", Workspace: "web", State: StateRunning, Clients: 1, SessionID: "id-1", LastActivity: t0},
			{Login: "bob", Workspace: "api", State: StateExited, ExitCode: 1, SessionID: "id-2"},
			{Login: "bob", Workspace: "cli", State: StateFailed, ExitCode: 126, SessionID: "id-3", Error: "cannot start /opt/x: not executable"},
		},
		events: []EventInfo{
			{At: t0, Kind: "login.refused", Login: "mallory", Remote: "10.0.0.9:4242", Fingerprint: "SHA256:m", Detail: "not allowed\n\x1b[2Jfake line"},
			{At: t0.Add(-time.Hour), Kind: "login.accepted", Login: "alice", Remote: "10.0.0.1:1"},
			{At: t0.Add(-2 * time.Hour), Kind: "admin.kick", Login: "bob", Actor: "boss", Detail: "connections=1"},
		},
		kicks: map[string]int{"alice": 2, "bob": 1},
	}
}

func TestAdminRefusedForUsers(t *testing.T) {
	a, k := newFakeAdmin(), newFakeKeys()
	r := NewRouter(Users(a), Sessions(a), Audit(a), Kick(a), RefreshKeys(k))
	for _, argv := range [][]string{{"users"}, {"users", "--json"}, {"sessions"}, {"audit", "--since", "1h"}, {"kick", "bob"}, {"refresh-keys", "bob"}} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, r, alice, false, argv...)
			want := "warren: " + argv[0] + ": permission denied: admins only\n"
			if code != ExitFailure || stdout != "" || stderr != want {
				t.Errorf("got %d %q %q; want 1 \"\" %q", code, stdout, stderr, want)
			}
		})
	}
	if len(a.calls) != 0 || len(k.calls) != 0 {
		t.Errorf("calls: got %q %q; want none", a.calls, k.calls)
	}
}

func TestAdminCommands(t *testing.T) {
	mk := func() (*Router, *[]string) {
		a, k := newFakeAdmin(), newFakeKeys()
		return NewRouter(Users(a), Sessions(a), Audit(a), Kick(a), RefreshKeys(k)), &a.calls
	}
	runCases(t, mk, []cmdCase{
		{name: "users", id: boss, argv: []string{"users"},
			wantStdout: "alice\tuser\t2025-03-01T12:00:00Z\t2\t1\t20000\nboss\tadmin\t-\t1\t0\t-\neve\tuser\t-\t3\t0\t-\n",
			wantStderr: "warren: key conflict: eve lists SHA256:held, held by boss: refused for eve\n" +
				"warren: key conflict: eve lists SHA256:listed, held by alice, who never signed in with it: eve takes it by signing in with it\n" +
				"warren: key conflict: eve lists SHA256:tie, listed by several logins at once: nobody's until one of them signs in with it\n" +
				"warren: give-key LOGIN FINGERPRINT makes a key LOGIN's\n"},
		{name: "users json", id: boss, argv: []string{"users", "--json"}, wantStdout: `[
			{"login":"alice","admin":false,"last_login":"2025-03-01T12:00:00Z","keys":2,"sessions":1,"uid":20000,"conflicts":[]},
			{"login":"boss","admin":true,"last_login":null,"keys":1,"sessions":0,"uid":null,"conflicts":[]},
			{"login":"eve","admin":false,"last_login":null,"keys":3,"sessions":0,"uid":null,"conflicts":[
				{"fingerprint":"SHA256:held","held_by":"boss","contested":false,"takeable":false},
				{"fingerprint":"SHA256:listed","held_by":"alice","contested":false,"takeable":true},
				{"fingerprint":"SHA256:tie","held_by":"","contested":true,"takeable":true}]}]`},
		{name: "users argument", id: boss, argv: []string{"users", "x"}, wantCode: 2,
			wantStderr: "warren: users: users takes no arguments\nusage: users [--json]\n"},
		{name: "sessions", id: boss, argv: []string{"sessions"},
			wantStdout: "alice\tweb\trunning\t1\t2025-03-01T12:00:00Z\tid-1\t-\nbob\tapi\texited\t0\t-\tid-2\t1\nbob\tcli\tfailed\t0\t-\tid-3\t126\n"},
		{name: "sessions json", id: boss, argv: []string{"sessions", "--json"}, wantStdout: `[
			{"login":"alice","workspace":"web","state":"running","clients":1,"exit_code":0,"session_id":"id-1","last_activity":"2025-03-01T12:00:00Z","error":""},
			{"login":"bob","workspace":"api","state":"exited","clients":0,"exit_code":1,"session_id":"id-2","last_activity":null,"error":""},
			{"login":"bob","workspace":"cli","state":"failed","clients":0,"exit_code":126,"session_id":"id-3","last_activity":null,"error":"cannot start /opt/x: not executable"}]`},
		{name: "audit text sanitizes details", id: boss, argv: []string{"audit"},
			wantStdout: "2025-03-01T12:00:00Z\tlogin.refused\tmallory\t-\t10.0.0.9:4242\tSHA256:m\tnot allowed??[2Jfake line\n" +
				"2025-03-01T11:00:00Z\tlogin.accepted\talice\t-\t10.0.0.1:1\t-\t-\n" +
				"2025-03-01T10:00:00Z\tadmin.kick\tbob\tboss\t-\t-\tconnections=1\n"},
		{name: "audit json", id: boss, argv: []string{"audit", "--json"}, wantStdout: `[
			{"at":"2025-03-01T12:00:00Z","kind":"login.refused","login":"mallory","actor":"","remote":"10.0.0.9:4242","fingerprint":"SHA256:m","detail":"not allowed\n\u001b[2Jfake line"},
			{"at":"2025-03-01T11:00:00Z","kind":"login.accepted","login":"alice","actor":"","remote":"10.0.0.1:1","fingerprint":"","detail":""},
			{"at":"2025-03-01T10:00:00Z","kind":"admin.kick","login":"bob","actor":"boss","remote":"","fingerprint":"","detail":"connections=1"}]`},
		{name: "audit bad since", id: boss, argv: []string{"audit", "--since", "yesterday"}, wantCode: 2,
			wantStderr: "warren: audit: --since takes a duration like 90m, 24h or 7d, not \"yesterday\"\nusage: audit [--since DURATION] [--login L] [--kind K] [--limit N] [--json]\n"},
		{name: "audit negative since", id: boss, argv: []string{"audit", "--since", "-1h"}, wantCode: 2,
			wantStderr: "warren: audit: --since takes a duration like 90m, 24h or 7d, not \"-1h\"\nusage: audit [--since DURATION] [--login L] [--kind K] [--limit N] [--json]\n"},
		{name: "audit zero limit", id: boss, argv: []string{"audit", "--limit", "0"}, wantCode: 2,
			wantStderr: "warren: audit: --limit takes a number from 1 to 10000\nusage: audit [--since DURATION] [--login L] [--kind K] [--limit N] [--json]\n"},
		{name: "audit argument", id: boss, argv: []string{"audit", "bob"}, wantCode: 2,
			wantStderr: "warren: audit: audit takes no arguments, only flags\nusage: audit [--since DURATION] [--login L] [--kind K] [--limit N] [--json]\n"},
		{name: "kick", id: boss, argv: []string{"kick", "alice"}, wantStdout: "closed 2 connections of alice\n", wantCalls: []string{"kick alice"}},
		{name: "kick one", id: boss, argv: []string{"kick", "bob"}, wantStdout: "closed 1 connection of bob\n"},
		{name: "kick nobody connected", id: boss, argv: []string{"kick", "carol"}, wantStdout: "closed 0 connections of carol\n"},
		{name: "kick needs a login", id: boss, argv: []string{"kick"}, wantCode: 2,
			wantStderr: "warren: kick: kick takes one login\nusage: kick LOGIN\n", wantCalls: []string{}},
		{name: "refresh-keys", id: boss, argv: []string{"refresh-keys", "alice"}, wantStdout: "alice\t2\n"},
		{name: "refresh-keys unknown", id: boss, argv: []string{"refresh-keys", "nobody"}, wantCode: 1,
			wantStderr: "warren: refresh-keys: nobody: not found\n"},
		{name: "refresh-keys needs a login", id: boss, argv: []string{"refresh-keys"}, wantCode: 2,
			wantStderr: "warren: refresh-keys: refresh-keys takes one login\nusage: refresh-keys [--accept] LOGIN\n"},
		{name: "refresh-keys unknown flag", id: boss, argv: []string{"refresh-keys", "--force", "alice"}, wantCode: 2,
			wantStderr: "warren: refresh-keys: flag provided but not defined: -force\nusage: refresh-keys [--accept] LOGIN\n"},
	})
}

// TestRefreshKeysAccept: only --accept asks for a wholly new key set to be
// taken; a plain refresh never does.
func TestRefreshKeysAccept(t *testing.T) {
	for _, tt := range []struct {
		argv []string
		want string
	}{
		{[]string{"refresh-keys", "alice"}, "refresh alice"},
		{[]string{"refresh-keys", "--accept", "alice"}, "accept alice"},
		{[]string{"refresh-keys", "alice", "--accept"}, "accept alice"},
	} {
		t.Run(strings.Join(tt.argv, " "), func(t *testing.T) {
			k := newFakeKeys()
			code, stdout, stderr := run(t, NewRouter(RefreshKeys(k)), boss, false, tt.argv...)
			if code != 0 || stdout != "alice\t2\n" {
				t.Fatalf("got %d %q %q; want 0 \"alice\\t2\\n\"", code, stdout, stderr)
			}
			if len(k.calls) != 1 || k.calls[0] != tt.want {
				t.Errorf("calls: got %q; want [%q]", k.calls, tt.want)
			}
		})
	}
}

func TestAuditQuery(t *testing.T) {
	tests := []struct {
		name      string
		argv      []string
		wantSince time.Duration // 0: no since
		wantLogin string
		wantKind  string
		wantLimit int
	}{
		{"defaults", []string{"audit"}, 0, "", "", 100},
		{"all filters", []string{"audit", "--since", "2h", "--login", "bob", "--kind", "login.refused", "--limit", "5"}, 2 * time.Hour, "bob", "login.refused", 5},
		{"days", []string{"audit", "--since=7d", "--json"}, 7 * 24 * time.Hour, "", "", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newFakeAdmin()
			before := time.Now()
			code, _, stderr := run(t, NewRouter(Audit(a)), boss, false, tt.argv...)
			after := time.Now()
			if code != 0 {
				t.Fatalf("got %d %q; want 0", code, stderr)
			}
			q := a.query
			if q.Login != tt.wantLogin || q.Kind != tt.wantKind || q.Limit != tt.wantLimit {
				t.Errorf("got %+v; want login %q kind %q limit %d", q, tt.wantLogin, tt.wantKind, tt.wantLimit)
			}
			switch {
			case tt.wantSince == 0 && !q.Since.IsZero():
				t.Errorf("since: got %v; want zero", q.Since)
			case tt.wantSince != 0 && (q.Since.Before(before.Add(-tt.wantSince)) || q.Since.After(after.Add(-tt.wantSince))):
				t.Errorf("since: got %v; want %v before now", q.Since, tt.wantSince)
			}
		})
	}
}
