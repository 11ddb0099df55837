package commands

import "testing"

// fakeDisk serves fixed disk usage; a login missing from it has no quota.
type fakeDisk map[string]DiskUsage

func (f fakeDisk) DiskUsage(login string) (DiskUsage, bool) {
	u, ok := f[login]
	return u, ok
}

func TestDiskUsageShown(t *testing.T) {
	over := DiskUsage{Used: 2 << 20, Quota: 1 << 20, Measured: t0, Summary: "2.0 MiB of 1.0 MiB, over the quota"}
	fresh := DiskUsage{Quota: 1 << 20, Summary: "not measured yet, of 1.0 MiB"}
	disk := fakeDisk{"alice": over, "boss": fresh}
	admin := &fakeAdmin{users: []UserInfo{
		{Login: "alice", Keys: 1, UID: 20000, Disk: &over},
		{Login: "boss", Admin: true, Keys: 2},
	}}
	mk := func() (*Router, *[]string) {
		return NewRouter(WhoamiDisk(disk), Users(admin)), &admin.calls
	}
	runCases(t, mk, []cmdCase{
		{name: "whoami over", id: alice, argv: []string{"whoami"},
			wantStdout: "alice\tSHA256:alicekey1\tuser\tdisk 2.0 MiB of 1.0 MiB, over the quota\n"},
		{name: "whoami json over", id: alice, argv: []string{"whoami", "--json"},
			wantStdout: `{"login":"alice","fingerprint":"SHA256:alicekey1","admin":false,"disk":{"used":2097152,"quota":1048576,"measured_at":"2025-03-01T12:00:00Z","over":true}}`},
		{name: "whoami not measured", id: boss, argv: []string{"whoami", "--json"},
			wantStdout: `{"login":"boss","fingerprint":"SHA256:bosskey","admin":true,"disk":{"used":null,"quota":1048576,"measured_at":null,"over":false}}`},
		{name: "whoami without a quota", id: Identity{Login: "carol", Fingerprint: "SHA256:c"}, argv: []string{"whoami"},
			wantStdout: "carol\tSHA256:c\tuser\n"},
		{name: "users", id: boss, argv: []string{"users"},
			wantStdout: "alice\tuser\t-\t1\t0\t20000\tdisk 2.0 MiB of 1.0 MiB, over the quota\nboss\tadmin\t-\t2\t0\t-\n"},
		{name: "users json", id: boss, argv: []string{"users", "--json"},
			wantStdout: `[{"login":"alice","admin":false,"last_login":null,"keys":1,"sessions":0,"uid":20000,"disk":{"used":2097152,"quota":1048576,"measured_at":"2025-03-01T12:00:00Z","over":true},"conflicts":[]},
				{"login":"boss","admin":true,"last_login":null,"keys":2,"sessions":0,"uid":null,"conflicts":[]}]`},
	})
}
