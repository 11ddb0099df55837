package commands

import "testing"

func newFakeKeys() *fakeKeys {
	return &fakeKeys{sets: map[string]KeySet{
		"alice": {FetchedAt: t0, Keys: []KeyInfo{
			{Type: "ssh-ed25519", Fingerprint: "SHA256:alicekey1", Comment: "laptop"},
			{Type: "ssh-rsa", Fingerprint: "SHA256:alicekey2", Comment: "evil\x1b]52;c;cGF5bG9hZA==\x07\tcomment"},
		}},
		"dave":  {LastError: "github: 503 Service\nUnavailable", FetchedAt: t0, Keys: []KeyInfo{{Type: "ssh-ed25519", Fingerprint: "SHA256:d"}}},
		"carol": {},
		"eve": {FetchedAt: t0, Keys: []KeyInfo{
			{Type: "ssh-ed25519", Fingerprint: "SHA256:evekey"},
			{Type: "ssh-ed25519", Fingerprint: "SHA256:held", KeyConflict: KeyConflict{HeldBy: "bob"}},
			{Type: "ssh-ed25519", Fingerprint: "SHA256:listed", KeyConflict: KeyConflict{HeldBy: "carol", Takeable: true}},
			{Type: "ssh-ed25519", Fingerprint: "SHA256:tie", KeyConflict: KeyConflict{Contested: true, Takeable: true}},
		}},
	}}
}

func TestKeys(t *testing.T) {
	mk := func() (*Router, *[]string) {
		k := newFakeKeys()
		return NewRouter(Keys(k), Whoami()), &k.calls
	}
	runCases(t, mk, []cmdCase{
		{name: "text", id: alice, argv: []string{"keys"},
			wantStdout: "ssh-ed25519\tSHA256:alicekey1\t2025-03-01T12:00:00Z\tlaptop\n" +
				"ssh-rsa\tSHA256:alicekey2\t2025-03-01T12:00:00Z\tevil?]52;c;cGF5bG9hZA==??comment\n",
			wantCalls: []string{"keys alice"}},
		{name: "json marks the key in use", id: alice, argv: []string{"keys", "--json"}, wantStdout: `{"login":"alice","fetched_at":"2025-03-01T12:00:00Z","last_error":"","keys":[
			{"type":"ssh-ed25519","fingerprint":"SHA256:alicekey1","comment":"laptop","in_use":true,"refused":false,"held_by":"","contested":false},
			{"type":"ssh-rsa","fingerprint":"SHA256:alicekey2","comment":"evil\u001b]52;c;cGF5bG9hZA==\u0007\tcomment","in_use":false,"refused":false,"held_by":"","contested":false}]}`},
		{name: "failed fetch noted on stderr", id: Identity{Login: "dave"}, argv: []string{"keys"},
			wantStdout: "ssh-ed25519\tSHA256:d\t2025-03-01T12:00:00Z\t-\n",
			wantStderr: "warren: keys: last fetch failed: github: 503 Service Unavailable\n"},
		{name: "no keys", id: Identity{Login: "carol"}, argv: []string{"keys"}, wantStdout: ""},
		{name: "no keys json", id: Identity{Login: "carol"}, argv: []string{"keys", "--json"},
			wantStdout: `{"login":"carol","fetched_at":null,"last_error":"","keys":[]}`},
		{name: "another login", id: alice, argv: []string{"keys", "bob"}, wantCode: 1,
			wantStderr: "warren: keys: keys bob: permission denied: admins only\n", wantCalls: []string{}},
		{name: "own login", id: alice, argv: []string{"keys", "alice"},
			wantStdout: "ssh-ed25519\tSHA256:alicekey1\t2025-03-01T12:00:00Z\tlaptop\n" +
				"ssh-rsa\tSHA256:alicekey2\t2025-03-01T12:00:00Z\tevil?]52;c;cGF5bG9hZA==??comment\n",
			wantCalls: []string{"keys alice"}},
		{name: "two logins", id: boss, argv: []string{"keys", "alice", "bob"}, wantCode: 2,
			wantStderr: "warren: keys: keys takes at most one login\nusage: keys [--json] [LOGIN]\n", wantCalls: []string{}},
		{name: "admin sees another login's, conflicts named", id: boss, argv: []string{"keys", "eve"},
			wantStdout: "ssh-ed25519\tSHA256:evekey\t2025-03-01T12:00:00Z\t-\n" +
				"ssh-ed25519\tSHA256:held\t2025-03-01T12:00:00Z\t-\n" +
				"ssh-ed25519\tSHA256:listed\t2025-03-01T12:00:00Z\t-\n" +
				"ssh-ed25519\tSHA256:tie\t2025-03-01T12:00:00Z\t-\n",
			wantStderr: "warren: keys: SHA256:held is held by bob: refused for eve\n" +
				"warren: keys: SHA256:listed is held by carol, who never signed in with it: eve takes it by signing in with it\n" +
				"warren: keys: SHA256:tie is listed by several logins and nobody's yet: the first of them to sign in with it gets it\n",
			wantCalls: []string{"keys eve"}},
		{name: "a user is not told who holds a key", id: Identity{Login: "eve", Fingerprint: "SHA256:evekey"}, argv: []string{"keys"},
			wantStdout: "ssh-ed25519\tSHA256:evekey\t2025-03-01T12:00:00Z\t-\n" +
				"ssh-ed25519\tSHA256:held\t2025-03-01T12:00:00Z\t-\n" +
				"ssh-ed25519\tSHA256:listed\t2025-03-01T12:00:00Z\t-\n" +
				"ssh-ed25519\tSHA256:tie\t2025-03-01T12:00:00Z\t-\n",
			wantStderr: "warren: keys: SHA256:held is held by another login: refused for you (an admin can hand it over with give-key)\n" +
				"warren: keys: SHA256:listed is listed by another login too: the first to sign in with it gets it\n" +
				"warren: keys: SHA256:tie is listed by another login too: the first to sign in with it gets it\n"},
		{name: "json: holder for admins only", id: Identity{Login: "eve", Fingerprint: "SHA256:evekey"}, argv: []string{"keys", "--json"},
			wantStdout: `{"login":"eve","fetched_at":"2025-03-01T12:00:00Z","last_error":"","keys":[
			{"type":"ssh-ed25519","fingerprint":"SHA256:evekey","comment":"","in_use":true,"refused":false,"held_by":"","contested":false},
			{"type":"ssh-ed25519","fingerprint":"SHA256:held","comment":"","in_use":false,"refused":true,"held_by":"","contested":false},
			{"type":"ssh-ed25519","fingerprint":"SHA256:listed","comment":"","in_use":false,"refused":false,"held_by":"","contested":false},
			{"type":"ssh-ed25519","fingerprint":"SHA256:tie","comment":"","in_use":false,"refused":false,"held_by":"","contested":true}]}`},
		{name: "json for an admin", id: boss, argv: []string{"keys", "--json", "eve"},
			wantStdout: `{"login":"eve","fetched_at":"2025-03-01T12:00:00Z","last_error":"","keys":[
			{"type":"ssh-ed25519","fingerprint":"SHA256:evekey","comment":"","in_use":false,"refused":false,"held_by":"","contested":false},
			{"type":"ssh-ed25519","fingerprint":"SHA256:held","comment":"","in_use":false,"refused":true,"held_by":"bob","contested":false},
			{"type":"ssh-ed25519","fingerprint":"SHA256:listed","comment":"","in_use":false,"refused":false,"held_by":"carol","contested":false},
			{"type":"ssh-ed25519","fingerprint":"SHA256:tie","comment":"","in_use":false,"refused":false,"held_by":"","contested":true}]}`},
		{name: "whoami json", id: alice, argv: []string{"whoami", "--json"},
			wantStdout: `{"login":"alice","fingerprint":"SHA256:alicekey1","admin":false}`},
		{name: "whoami json admin", id: boss, argv: []string{"whoami", "-json"},
			wantStdout: `{"login":"boss","fingerprint":"SHA256:bosskey","admin":true}`},
		{name: "whoami bad flag", id: alice, argv: []string{"whoami", "--yaml"}, wantCode: 2,
			wantStderr: "warren: whoami: flag provided but not defined: -yaml\nusage: whoami [--json]\n"},
	})
}

func TestGiveKey(t *testing.T) {
	mk := func() (*Router, *[]string) {
		k := newFakeKeys()
		return NewRouter(GiveKey(k)), &k.calls
	}
	runCases(t, mk, []cmdCase{
		{name: "gives", id: boss, argv: []string{"give-key", "eve", "SHA256:held", "SHA256:tie"},
			wantStdout: "eve\tSHA256:held\tbob\neve\tSHA256:tie\t-\n",
			wantCalls:  []string{"give eve SHA256:held", "give eve SHA256:tie"}},
		{name: "a key the login does not list", id: boss, argv: []string{"give-key", "eve", "SHA256:held", "SHA256:nope"}, wantCode: 1,
			wantStdout: "eve\tSHA256:held\tbob\n",
			wantStderr: "warren: give-key: eve does not list SHA256:nope\n"},
		{name: "unknown login", id: boss, argv: []string{"give-key", "zed", "SHA256:x"}, wantCode: 1,
			wantStderr: "warren: give-key: zed: not found\n"},
		{name: "no key", id: boss, argv: []string{"give-key", "eve"}, wantCode: 2,
			wantStderr: "warren: give-key: give-key takes a login and one or more key fingerprints (see keys LOGIN)\nusage: give-key LOGIN FINGERPRINT...\n"},
		{name: "users may not", id: alice, argv: []string{"give-key", "alice", "SHA256:held"}, wantCode: 1,
			wantStderr: "warren: give-key: permission denied: admins only\n", wantCalls: []string{}},
	})
}
