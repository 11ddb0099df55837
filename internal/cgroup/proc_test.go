package cgroup

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseProcCgroup(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []procCgroup
	}{
		{
			name: "hybrid",
			in:   "9:name=systemd:/\n8:pids:/\n2:cpu,cpuacct:/a\n0::/\n",
			want: []procCgroup{
				{ID: 9, Controllers: []string{"name=systemd"}, Path: "/"},
				{ID: 8, Controllers: []string{"pids"}, Path: "/"},
				{ID: 2, Controllers: []string{"cpu", "cpuacct"}, Path: "/a"},
				{ID: 0, Path: "/"},
			},
		},
		{
			name: "unified, colon in path",
			in:   "0::/system.slice/a:b.service\n",
			want: []procCgroup{{ID: 0, Path: "/system.slice/a:b.service"}},
		},
		{
			name: "malformed lines skipped",
			in:   "\nx::/\n-1::/\n0:/\n0::/ok",
			want: []procCgroup{{ID: 0, Path: "/ok"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseProcCgroup([]byte(tc.in)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseProcCgroup = %+v; want %+v", got, tc.want)
			}
		})
	}
}

func TestParseMountinfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []mount
	}{
		{
			name: "v1 and v2",
			in: "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime shared:1 - cgroup cgroup rw,pids\n" +
				"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n",
			want: []mount{
				{Root: "/", Point: "/sys/fs/cgroup/pids", FSType: "cgroup", SuperOpts: []string{"rw", "pids"}},
				{Root: "/", Point: "/sys/fs/cgroup/unified", FSType: "cgroup2", SuperOpts: []string{"rw", "nsdelegate"}},
			},
		},
		{
			name: "escapes",
			in:   `1 2 0:3 /a\040b /mnt/x\011y\134z\777 ro - cgroup2 none rw` + "\n",
			want: []mount{{Root: "/a b", Point: "/mnt/x\ty\\z\\777", FSType: "cgroup2", SuperOpts: []string{"rw"}}},
		},
		{
			name: "no super options",
			in:   "1 2 0:3 / /m rw - cgroup2\n",
			want: []mount{{Root: "/", Point: "/m", FSType: "cgroup2"}},
		},
		{
			name: "malformed lines skipped",
			in:   "1 2 0:3 / /m rw cgroup2 x y\n1 2 - / /m\n\n",
			want: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseMountinfo([]byte(tc.in)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseMountinfo = %+v; want %+v", got, tc.want)
			}
		})
	}
}

func FuzzParseProcCgroup(f *testing.F) {
	f.Add([]byte("9:name=systemd:/\n8:pids:/\n0::/\n"))
	f.Add([]byte("0::/../x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range parseProcCgroup(data) {
			if c.ID < 0 || strings.Contains(c.Path, "\n") {
				t.Errorf("bad entry %+v", c)
			}
		}
	})
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add([]byte("40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"))
	f.Add([]byte(`1 2 0:3 /a\040b /m\134 ro - cgroup2 none rw`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range parseMountinfo(data) {
			if m.FSType == "" {
				t.Errorf("bad entry %+v", m)
			}
			if !strings.Contains(string(data), `\`) &&
				(strings.ContainsAny(m.Root, " \n") || strings.ContainsAny(m.Point, " \n")) {
				t.Errorf("unescaped path holds a separator: %+v", m)
			}
		}
	})
}

// FuzzCheckLogin: an accepted login is one path element that is neither
// "." nor ".." nor an interface file name.
func FuzzCheckLogin(f *testing.F) {
	for _, s := range []string{"alice", "a-b", "..", "a/b", "cgroup.procs", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, login string) {
		if checkLogin(login) != nil {
			return
		}
		if login == "" || login == "." || login == ".." || strings.ContainsAny(login, "/.\x00\n") || len(login) > 255 {
			t.Errorf("checkLogin accepted %q", login)
		}
	})
}
