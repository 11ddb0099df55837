package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/internal/store"
)

// adminService serves the key commands and the admin commands.
type adminService struct{ s *Server }

var (
	_ commands.KeySource = adminService{}
	_ commands.Admin     = adminService{}
)

// Keys implements commands.KeySource.
func (a adminService) Keys(ctx context.Context, login string) (commands.KeySet, error) {
	if _, ok := a.s.auth.Lookup(login); !ok {
		return commands.KeySet{}, fmt.Errorf("%s: %w", login, commands.ErrNotFound)
	}
	keys, fetched := a.s.auth.Keys(login)
	ks := commands.KeySet{FetchedAt: fetched}
	for _, k := range keys {
		ki := commands.KeyInfo{Type: k.PublicKey.Type(), Fingerprint: k.Fingerprint, Comment: k.Comment}
		if c, ok := a.s.auth.ConflictOf(login, k.Fingerprint); ok {
			ki.KeyConflict = keyConflict(c)
		}
		ks.Keys = append(ks.Keys, ki)
	}
	if row, err := a.s.store.KeySet(ctx, login); err == nil {
		ks.LastError = row.LastError
	}
	return ks, nil
}

// Admin audit event kinds. Each names its actor: the admin who ran the
// command.
const (
	eventAdminRefreshKeys = "admin.refresh_keys"
	eventAdminAcceptKeys  = "admin.accept_keys"
	eventAdminKick        = "admin.kick"
	eventAdminGiveKey     = "admin.give_key"
)

// errNoActor refuses an admin action whose caller is unknown: the audit log
// must be able to say who acted.
var errNoActor = errors.New("admin action without a verified caller")

// actor is the login of the admin running the command: the identity
// verified for the connection (the commands run with the session's context).
func actor(ctx context.Context) (string, error) {
	id, ok := IdentityFromContext(ctx)
	if !ok || id.Login == "" {
		return "", errNoActor
	}
	return id.Login, nil
}

// Refresh implements commands.KeySource.
func (a adminService) Refresh(ctx context.Context, login string, accept bool) (commands.KeySet, error) {
	by, err := actor(ctx)
	if err != nil {
		return commands.KeySet{}, err
	}
	refresh, kind := a.s.auth.Refresh, eventAdminRefreshKeys
	if accept {
		refresh, kind = a.s.auth.AcceptReplaced, eventAdminAcceptKeys
	}
	if err := refresh(ctx, login); err != nil {
		if errors.Is(err, auth.ErrNotAllowed) {
			return commands.KeySet{}, fmt.Errorf("%s: %w", login, commands.ErrNotFound)
		}
		return commands.KeySet{}, err
	}
	_ = a.s.audit.AddEvent(ctx, store.Event{Kind: kind, Login: login, Actor: by})
	return a.Keys(ctx, login)
}

// GiveKey implements commands.KeySource: the key becomes login's, audited
// with the admin who gave it. The previous holder's connections with it
// are closed by the revocation watcher.
func (a adminService) GiveKey(ctx context.Context, login, fp string) (string, error) {
	by, err := actor(ctx)
	if err != nil {
		return "", err
	}
	from, err := a.s.auth.GiveKey(login, fp, by)
	switch {
	case errors.Is(err, auth.ErrNotAllowed), errors.Is(err, auth.ErrInvalidLogin):
		return "", fmt.Errorf("%s: %w", login, commands.ErrNotFound)
	case errors.Is(err, auth.ErrKeyNotListed):
		return "", &commands.UserError{Msg: fmt.Sprintf("%s does not list %s (see keys %s)", login, quoteFingerprint(fp), login), Err: err}
	case err != nil:
		return "", err
	}
	detail := "from=" + from
	if from == "" {
		detail = "from=nobody"
	}
	_ = a.s.audit.AddEvent(ctx, store.Event{Kind: eventAdminGiveKey, Login: login, Actor: by, Fingerprint: fp, Detail: detail})
	return from, nil
}

// quoteFingerprint makes a fingerprint typed by an admin safe to echo.
func quoteFingerprint(fp string) string {
	if len(fp) > 64 {
		fp = fp[:64] + "…"
	}
	return printable(fp)
}

// keyConflict is an auth.Conflict as the commands show it.
func keyConflict(c auth.Conflict) commands.KeyConflict {
	return commands.KeyConflict{HeldBy: c.Holder, Contested: c.Holder == "", Takeable: c.Takeable}
}

// conflictNotice is the picker's warning line for an admin while some
// login lists a key another login holds; "" when none does.
func (s *Server) conflictNotice() string {
	cs := s.auth.Conflicts()
	if len(cs) == 0 {
		return ""
	}
	var logins []string
	for _, c := range cs {
		if !slices.Contains(logins, c.Login) {
			logins = append(logins, c.Login)
		}
	}
	noun := "key conflicts"
	if len(cs) == 1 {
		noun = "key conflict"
	}
	return fmt.Sprintf("%d %s (%s): see users", len(cs), noun, strings.Join(logins, ", "))
}

// Users implements commands.Admin: the allowlist with what is known of each.
func (a adminService) Users(ctx context.Context) ([]commands.UserInfo, error) {
	accounts, err := a.s.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	uids := make(map[string]uint32, len(accounts))
	for _, acct := range accounts {
		uids[acct.Login] = acct.UID
	}
	conflicts := a.s.auth.Conflicts()
	var out []commands.UserInfo
	for _, login := range a.s.auth.Logins() {
		e, _ := a.s.auth.Lookup(login)
		keys, _ := a.s.auth.Keys(login)
		u := commands.UserInfo{Login: login, Admin: e.Admin, Keys: len(keys), UID: uids[login]}
		for _, c := range conflicts {
			if c.Login == login {
				u.Conflicts = append(u.Conflicts, commands.UserConflict{Fingerprint: c.Fingerprint, KeyConflict: keyConflict(c)})
			}
		}
		if d, ok := a.s.DiskUsage(login); ok {
			u.Disk = &d
		}
		if row, err := a.s.store.User(ctx, login); err == nil {
			u.LastLogin = row.LastLogin
		}
		for _, si := range a.s.sessions.List(login) {
			if si.State == session.StateRunning {
				u.Sessions++
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// Sessions implements commands.Admin: every login's sessions.
func (a adminService) Sessions(ctx context.Context) ([]commands.SessionInfo, error) {
	rows, err := a.s.store.Sessions(ctx, "")
	if err != nil {
		return nil, err
	}
	// One listing per login (it runs git status per workspace), not per row.
	var out []commands.SessionInfo
	for i, r := range rows {
		if i > 0 && rows[i-1].Login == r.Login {
			continue // rows come ordered by login
		}
		views, err := workspaceService{a.s}.views(ctx, r.Login)
		if err != nil {
			return nil, err
		}
		for _, v := range views {
			if v.SessionID != "" {
				out = append(out, commands.SessionInfo{Login: r.Login, Workspace: v.Name, State: v.State, Clients: v.Clients,
					ExitCode: v.ExitCode, SessionID: v.SessionID, LastActivity: v.LastActivity, Error: v.Error})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Login != out[j].Login {
			return out[i].Login < out[j].Login
		}
		return out[i].Workspace < out[j].Workspace
	})
	return out, nil
}

// Audit implements commands.Admin.
func (a adminService) Audit(ctx context.Context, q commands.AuditQuery) ([]commands.EventInfo, error) {
	events, err := a.s.store.Events(ctx, store.EventFilter{Since: q.Since, Login: q.Login, Kind: q.Kind, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]commands.EventInfo, len(events))
	for i, e := range events {
		out[i] = commands.EventInfo{At: e.At, Kind: e.Kind, Login: e.Login, Actor: e.Actor, Remote: e.Remote, Fingerprint: e.Fingerprint, Detail: e.Detail}
	}
	return out, nil
}

// Kick implements commands.Admin: closes every connection of login. Its
// sessions keep running.
func (a adminService) Kick(ctx context.Context, login string) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	lcs := a.s.live.revoked(func(id auth.Identity, _ gossh.PublicKey) bool { return id.Login != login })
	for _, lc := range lcs {
		for _, sess := range a.s.live.sessionsOf(lc) {
			fmt.Fprintf(sess.Stderr(), "\r\nwarren: an admin closed this connection\r\n")
		}
		_ = lc.tc.Close()
	}
	_ = a.s.audit.AddEvent(ctx, store.Event{Kind: eventAdminKick, Login: login, Actor: by, Detail: fmt.Sprintf("connections=%d", len(lcs))})
	return len(lcs), nil
}
