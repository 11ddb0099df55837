package isolation

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Range
		wantErr bool
	}{
		{name: "default", in: "20000-29999", want: Range{20000, 29999}},
		{name: "spaces around", in: " 20000-29999\n", want: Range{20000, 29999}},
		{name: "spaces inside", in: "20000 - 29999", want: Range{20000, 29999}},
		{name: "one uid", in: "1000-1000", want: Range{1000, 1000}},
		{name: "up to the last valid uid", in: "1000-4294967294", want: Range{1000, 4294967294}},
		{name: "only the last valid uid", in: "4294967294-4294967294", want: Range{4294967294, 4294967294}},
		{name: "leading zeros", in: "020000-029999", want: Range{20000, 29999}},
		{name: "empty", in: "", wantErr: true},
		{name: "spaces only", in: "   ", wantErr: true},
		{name: "one number", in: "20000", wantErr: true},
		{name: "dash only", in: "-", wantErr: true},
		{name: "no high end", in: "20000-", wantErr: true},
		{name: "no low end", in: "-29999", wantErr: true},
		{name: "below 1000", in: "999-2000", wantErr: true},
		{name: "root", in: "0-100", wantErr: true},
		{name: "low above high", in: "30000-20000", wantErr: true},
		{name: "the no-id uid", in: "20000-4294967295", wantErr: true},
		{name: "only the no-id uid", in: "4294967295-4294967295", wantErr: true},
		{name: "past 32 bits", in: "20000-4294967296", wantErr: true},
		{name: "junk", in: "abc-def", wantErr: true},
		{name: "trailing junk", in: "20000-29999x", wantErr: true},
		{name: "three parts", in: "20000-29999-30000", wantErr: true},
		{name: "double dash", in: "20000--29999", wantErr: true},
		{name: "plus sign", in: "+20000-29999", wantErr: true},
		{name: "hex", in: "0x4e20-0x752f", wantErr: true},
		{name: "exponent", in: "2e4-3e4", wantErr: true},
		{name: "underscore", in: "20_000-29_999", wantErr: true},
		{name: "space inside a number", in: "20 000-29999", wantErr: true},
		{name: "comma", in: "20000,29999", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseRange(%q): got %v; want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "uid range") {
					t.Errorf("ParseRange(%q): error %q does not say what it is about", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRange(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRange(%q): got %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"20000-29999", "1000-4294967294", "999-2000", "30000-20000", "20000-4294967295", " 1-2 ", "a-b", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			return
		}
		if r.Lo < 1000 || r.Lo > r.Hi || r.Hi == ^uint32(0) {
			t.Fatalf("ParseRange(%q): got %v, outside 1000..4294967294 or empty", s, r)
		}
		back, err := ParseRange(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseRange(%q) = %v; its String %q parses to %v, %v", s, r, r.String(), back, err)
		}
	})
}

func TestRangeContains(t *testing.T) {
	r := Range{20000, 29999}
	tests := []struct {
		id   uint32
		want bool
	}{{0, false}, {19999, false}, {20000, true}, {25000, true}, {29999, true}, {30000, false}, {^uint32(0), false}}
	for _, tt := range tests {
		if got := r.Contains(tt.id); got != tt.want {
			t.Errorf("%v.Contains(%d): got %t; want %t", r, tt.id, got, tt.want)
		}
	}
	if got, want := r.String(), "20000-29999"; got != want {
		t.Errorf("String: got %q; want %q", got, want)
	}
}

func TestCheckAccounts(t *testing.T) {
	const (
		passwd = "root:x:0:0:root:/root:/bin/bash\n" +
			"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
			"alice:x:1000:1000::/home/alice:/bin/bash\n" +
			"justbelow:x:19999:19999::/:/bin/false\n" +
			"justabove:x:30000:30000::/:/bin/false\n" +
			"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
		group = "root:x:0:\nsudo:x:27:alice\nalice:x:1000:\nnogroup:x:65534:\n"
	)
	long := "big:x:50000:" + strings.Repeat("member,", 20000) + "last\n" // 140 KiB
	tests := []struct {
		name          string
		passwd, group string // "" for no file
		want          []string
	}{
		{name: "none in range", passwd: passwd, group: group},
		{name: "no files", passwd: "", group: ""},
		{name: "uid in range", passwd: passwd + "svc:x:25000:100::/:/bin/false\n", group: group, want: []string{`"svc"`, "uid 25000", "passwd"}},
		{name: "lowest uid of the range", passwd: passwd + "lo:x:20000:100::/:/bin/false\n", group: group, want: []string{`"lo"`, "uid 20000"}},
		{name: "highest uid of the range", passwd: passwd + "hi:x:29999:100::/:/bin/false\n", group: group, want: []string{`"hi"`, "uid 29999"}},
		{name: "gid in range", passwd: passwd, group: group + "devs:x:20001:alice\n", want: []string{`"devs"`, "gid 20001", "group"}},
		{name: "gid in range, no passwd", passwd: "", group: group + "devs:x:29000:\n", want: []string{`"devs"`, "gid 29000"}},
		{name: "a user's gid in range is not checked in passwd", passwd: passwd + "bob:x:1001:25000::/:/bin/sh\n", group: group},
		{name: "odd lines skipped", passwd: "# comment\n\n+::::::\nshort:x\nbad:x:twenty:0::/:\nneg:x:-20000:0::/:\n" + passwd, group: group},
		{name: "group line past 64 KiB", passwd: passwd, group: long + "late:x:20005:\n", want: []string{`"late"`, "gid 20005"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pw, gr := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
			if tt.passwd != "" {
				writeFile(t, dir, "passwd", tt.passwd, 0o644)
			}
			if tt.group != "" {
				writeFile(t, dir, "group", tt.group, 0o644)
			}
			err := checkAccounts(DefaultRange, pw, gr)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got nil; want an error naming %q", tt.want)
			}
			for _, w := range append(tt.want, DefaultRange.String()) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q; want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestCheckAccountsUnreadable: a file that cannot be read is an error, not
// an empty file.
func TestCheckAccountsUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := checkAccounts(DefaultRange, dir, filepath.Join(dir, "group")); err == nil {
		t.Errorf("passwd is a directory: got nil; want an error")
	}
}

// TestCheckAccountsHere: the default range is clear on this machine (and
// on CI), so a server started with defaults runs isolated.
func TestCheckAccountsHere(t *testing.T) {
	if err := CheckAccounts(DefaultRange); err != nil {
		t.Errorf("CheckAccounts(%s): %v", DefaultRange, err)
	}
}
