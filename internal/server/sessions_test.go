package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warren-ssh/warren/internal/session"
)

// TestClaudeConversation reads transcripts as Claude Code writes them:
// small records first, the user's message among them once it was sent.
func TestClaudeConversation(t *testing.T) {
	const id = "11111111-2222-3333-4444-555555555555"
	big := `{"type":"api-request-blob","message":"` + strings.Repeat("x", 1<<20) + `"}` + "\n"
	tests := []struct {
		name    string
		records string // the transcript; "" writes none
		link    bool   // the transcript is a symlink to a file with a message
		want    session.Conversation
	}{
		{name: "no transcript", want: session.ConversationNone},
		{name: "a message", records: `{"type":"mode","mode":"x"}` + "\n" + `{"type":"user","message":{"role":"user"}}` + "\n", want: session.ConversationSaved},
		{name: "a message after a big record", records: big + `{"type":"user"}` + "\n", want: session.ConversationSaved},
		{name: "written before the first message", records: `{"type":"mode"}` + "\n" + `{"type":"permission-mode"}` + "\n", want: session.ConversationUnusable},
		{name: "a torn last record", records: `{"type":"mode"}` + "\n" + `{"type":"us`, want: session.ConversationUnusable},
		{name: "user only nested", records: `{"type":"api-request","params":{"type":"user"}}` + "\n", want: session.ConversationUnusable},
		{name: "a symlink is not followed", link: true, want: session.ConversationUnusable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			dir := filepath.Join(home, ".claude", "projects", "-work-ws")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, id+".jsonl")
			switch {
			case tt.link:
				target := filepath.Join(home, "elsewhere.jsonl")
				if err := os.WriteFile(target, []byte(`{"type":"user"}`+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, path); err != nil {
					t.Fatal(err)
				}
			case tt.records != "":
				if err := os.WriteFile(path, []byte(tt.records), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := claudeConversation(home, id); got != tt.want {
				t.Errorf("claudeConversation = %v; want %v", got, tt.want)
			}
		})
	}
	if got := claudeConversation(t.TempDir(), "../../etc/passwd"); got != session.ConversationNone {
		t.Errorf("an id that is not a UUID: %v; want none", got)
	}
}
