package session

import (
	"slices"
	"testing"
)

func TestBuildEnv(t *testing.T) {
	server := map[string]string{
		"PATH": "/root/.local/bin:/usr/bin", "LANG": "C.UTF-8", "LC_TIME": "en_GB.UTF-8",
		"ANTHROPIC_API_KEY": "k", "SECRET": "s", "HOME": "/root", "SSH_AUTH_SOCK": "/tmp/x",
		"DISABLE_AUTOUPDATER": "0", "USER": "root", "SHELL": "/bin/zsh",
	}
	getenv := func(k string) (string, bool) { v, ok := server[k]; return v, ok }
	base := []string{"TERM=" + defaultTerm, "HOME=/data/homes/alice", "USER=alice", "LOGNAME=alice", "SHELL=/bin/sh", "LANG=C.UTF-8", "LC_TIME=en_GB.UTF-8"}
	tests := []struct {
		name  string
		names []string
		term  string
		want  []string
	}{
		{
			name:  "pass-through names, then the defaults",
			names: []string{"ANTHROPIC_API_KEY", "MISSING", "BAD=NAME", "BAD\x00NAME", ""},
			term:  "xterm\x00",
			want:  append(slices.Clone(base), "ANTHROPIC_API_KEY=k", "PATH="+defaultPath, "DISABLE_AUTOUPDATER=1"),
		},
		{
			name:  "the operator's own value wins over a default",
			names: []string{"DISABLE_AUTOUPDATER", "PATH"},
			want:  append(slices.Clone(base), "DISABLE_AUTOUPDATER=0", "PATH=/root/.local/bin:/usr/bin"),
		},
		{
			name:  "the login's identity is never the server's",
			names: []string{"HOME", "USER", "SHELL", "TERM"},
			term:  "vt100",
			want:  append(append([]string{"TERM=vt100"}, base[1:]...), "PATH="+defaultPath, "DISABLE_AUTOUPDATER=1"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildEnv(getenv, tt.names, "alice", "/data/homes/alice", tt.term)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestBuildEnvEmptyServer: with nothing set in the server's environment, a
// program still gets a PATH and the auto-updater off, and no HOME when it
// has none.
func TestBuildEnvEmptyServer(t *testing.T) {
	got := buildEnv(func(string) (string, bool) { return "", false }, []string{"PATH"}, "bob", "", "vt100")
	want := []string{"TERM=vt100", "USER=bob", "LOGNAME=bob", "SHELL=/bin/sh", "PATH=" + defaultPath, "DISABLE_AUTOUPDATER=1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}
