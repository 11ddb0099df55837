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
			{"type":"ssh-ed25519","fingerprint":"SHA256:alicekey1","comment":"laptop","in_use":true},
			{"type":"ssh-rsa","fingerprint":"SHA256:alicekey2","comment":"evil\u001b]52;c;cGF5bG9hZA==\u0007\tcomment","in_use":false}]}`},
		{name: "failed fetch noted on stderr", id: Identity{Login: "dave"}, argv: []string{"keys"},
			wantStdout: "ssh-ed25519\tSHA256:d\t2025-03-01T12:00:00Z\t-\n",
			wantStderr: "warren: keys: last fetch failed: github: 503 Service Unavailable\n"},
		{name: "no keys", id: Identity{Login: "carol"}, argv: []string{"keys"}, wantStdout: ""},
		{name: "no keys json", id: Identity{Login: "carol"}, argv: []string{"keys", "--json"},
			wantStdout: `{"login":"carol","fetched_at":null,"last_error":"","keys":[]}`},
		{name: "argument", id: alice, argv: []string{"keys", "bob"}, wantCode: 2,
			wantStderr: "warren: keys: keys takes no arguments\nusage: keys [--json]\n", wantCalls: []string{}},
		{name: "whoami json", id: alice, argv: []string{"whoami", "--json"},
			wantStdout: `{"login":"alice","fingerprint":"SHA256:alicekey1","admin":false}`},
		{name: "whoami json admin", id: boss, argv: []string{"whoami", "-json"},
			wantStdout: `{"login":"boss","fingerprint":"SHA256:bosskey","admin":true}`},
		{name: "whoami bad flag", id: alice, argv: []string{"whoami", "--yaml"}, wantCode: 2,
			wantStderr: "warren: whoami: flag provided but not defined: -yaml\nusage: whoami [--json]\n"},
	})
}
