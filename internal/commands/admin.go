package commands

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Audit limits.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 10000
)

// UserInfo is one allowlisted login.
type UserInfo struct {
	Login     string
	Admin     bool
	LastLogin time.Time  // zero if never
	Keys      int        // cached keys
	Sessions  int        // live sessions
	UID       uint32     // the login's own uid (isolated mode); 0 until it has one
	Disk      *DiskUsage // nil when no disk quota is in force
	// Conflicts are the keys the login lists that are not its own.
	Conflicts []UserConflict
}

// UserConflict is a key a login lists that is not that login's.
type UserConflict struct {
	Fingerprint string
	KeyConflict
}

// SessionInfo is one session of any login.
type SessionInfo struct {
	Login        string
	Workspace    string
	State        string // one of the State constants
	Clients      int
	ExitCode     int
	SessionID    string
	LastActivity time.Time
	Error        string // why the program could not start, when State is failed
}

// EventInfo is one audit event.
type EventInfo struct {
	At          time.Time
	Kind        string // e.g. "login.accepted"
	Login       string // the login the event is about
	Actor       string // the admin who caused an admin.* event; "" for none
	Remote      string
	Fingerprint string
	Detail      string // untrusted
}

// AuditQuery selects audit events; zero fields do not filter.
type AuditQuery struct {
	Since time.Time
	Login string
	Kind  string
	Limit int // always set by the audit command
}

// Admin is what the admin commands need.
type Admin interface {
	// Users returns the allowlisted logins.
	Users(ctx context.Context) ([]UserInfo, error)
	// Sessions returns every login's sessions.
	Sessions(ctx context.Context) ([]SessionInfo, error)
	// Audit returns the newest q.Limit events matching q, newest first.
	Audit(ctx context.Context, q AuditQuery) ([]EventInfo, error)
	// Kick closes every connection of login and returns how many it closed.
	Kick(ctx context.Context, login string) (int, error)
}

type userRecord struct {
	Login     string      `json:"login"`
	Admin     bool        `json:"admin"`
	LastLogin jsonTime    `json:"last_login"`
	Keys      int         `json:"keys"`
	Sessions  int         `json:"sessions"`
	UID       *uint32     `json:"uid"`            // null until the login has one
	Disk      *diskRecord `json:"disk,omitempty"` // only with a disk quota
	// Conflicts are the keys the login lists that are not its own.
	Conflicts []conflictRecord `json:"conflicts"`
}

type conflictRecord struct {
	Fingerprint string `json:"fingerprint"`
	HeldBy      string `json:"held_by"` // "" while contested
	Contested   bool   `json:"contested"`
	Takeable    bool   `json:"takeable"` // the login takes it by signing in with it
}

// Users lists the allowlist. Text fields: login, role, last login, key
// count, live sessions, uid ("-" until the login has its own), and, when
// a disk quota is in force, the disk use against it. Each key a login
// lists that another login holds (a key conflict) is noted on stderr.
func Users(a Admin) Command {
	return Command{
		Name:    "users",
		Args:    "[--json]",
		Summary: "list allowed logins: login, role, last login, keys, sessions, uid (and disk use, with a quota); key conflicts on stderr",
		Admin:   true,
		Run: func(ctx context.Context, env Env, args []string) error {
			asJSON, err := jsonOnly(args, "users")
			if err != nil {
				return err
			}
			list, err := a.Users(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				recs := make([]userRecord, 0, len(list))
				for _, u := range list {
					rec := userRecord{u.Login, u.Admin, jsonTime(u.LastLogin), u.Keys, u.Sessions, nil, nil, []conflictRecord{}}
					if u.UID != 0 {
						rec.UID = &u.UID
					}
					if u.Disk != nil {
						rec.Disk = newDiskRecord(*u.Disk)
					}
					for _, c := range u.Conflicts {
						rec.Conflicts = append(rec.Conflicts, conflictRecord{c.Fingerprint, c.HeldBy, c.Contested, c.Takeable})
					}
					recs = append(recs, rec)
				}
				return writeJSON(stdout(env), recs)
			}
			t := newTable(stdout(env))
			for _, u := range list {
				role := "user"
				if u.Admin {
					role = "admin"
				}
				uid := "-"
				if u.UID != 0 {
					uid = strconv.FormatUint(uint64(u.UID), 10)
				}
				fields := []string{u.Login, role, textTime(u.LastLogin), strconv.Itoa(u.Keys), strconv.Itoa(u.Sessions), uid}
				if u.Disk != nil {
					fields = append(fields, "disk "+u.Disk.Summary)
				}
				t.row(fields...)
			}
			if err := t.flush(); err != nil {
				return err
			}
			return writeUserConflicts(stderr(env), list)
		},
	}
}

// writeUserConflicts notes every key conflict of list on w, and how an
// admin resolves one.
func writeUserConflicts(w io.Writer, list []UserInfo) error {
	noted := false
	for _, u := range list {
		for _, c := range u.Conflicts {
			noted = true
			var msg string
			switch {
			case c.Contested:
				msg = "listed by several logins at once: nobody's until one of them signs in with it"
			case c.Takeable:
				msg = fmt.Sprintf("held by %s, who never signed in with it: %s takes it by signing in with it", field(c.HeldBy), field(u.Login))
			default:
				msg = fmt.Sprintf("held by %s: refused for %s", field(c.HeldBy), field(u.Login))
			}
			if _, err := fmt.Fprintf(w, "warren: key conflict: %s lists %s, %s\n", field(u.Login), field(c.Fingerprint), msg); err != nil {
				return err
			}
		}
	}
	if !noted {
		return nil
	}
	_, err := fmt.Fprintln(w, "warren: give-key LOGIN FINGERPRINT makes a key LOGIN's")
	return err
}

type sessionRecord struct {
	Login        string   `json:"login"`
	Workspace    string   `json:"workspace"`
	State        string   `json:"state"`
	Clients      int      `json:"clients"`
	ExitCode     int      `json:"exit_code"`
	SessionID    string   `json:"session_id"`
	LastActivity jsonTime `json:"last_activity"`
	Error        string   `json:"error"`
}

// Sessions lists every login's sessions. Text fields: login, workspace,
// state, clients, last activity, session id, exit code (as ls).
func Sessions(a Admin) Command {
	return Command{
		Name:    "sessions",
		Args:    "[--json]",
		Summary: "list all sessions: login, workspace, state, clients, last activity, session, exit code",
		Admin:   true,
		Run: func(ctx context.Context, env Env, args []string) error {
			asJSON, err := jsonOnly(args, "sessions")
			if err != nil {
				return err
			}
			list, err := a.Sessions(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				recs := make([]sessionRecord, 0, len(list))
				for _, s := range list {
					recs = append(recs, sessionRecord{s.Login, s.Workspace, s.State, s.Clients, s.ExitCode, s.SessionID, jsonTime(s.LastActivity), s.Error})
				}
				return writeJSON(stdout(env), recs)
			}
			t := newTable(stdout(env))
			for _, s := range list {
				t.row(s.Login, s.Workspace, s.State, strconv.Itoa(s.Clients), textTime(s.LastActivity), s.SessionID, codeField(s.State, s.ExitCode))
			}
			return t.flush()
		},
	}
}

type eventRecord struct {
	At          jsonTime `json:"at"`
	Kind        string   `json:"kind"`
	Login       string   `json:"login"`
	Actor       string   `json:"actor"`
	Remote      string   `json:"remote"`
	Fingerprint string   `json:"fingerprint"`
	Detail      string   `json:"detail"`
}

// Audit prints audit events, newest first. Text fields: time, kind, login,
// actor (the admin behind an admin.* event), remote address, fingerprint,
// detail.
func Audit(a Admin) Command {
	return Command{
		Name:    "audit",
		Args:    "[--since DURATION] [--login L] [--kind K] [--limit N] [--json]",
		Summary: "print audit events, newest first: time, kind, login, actor, remote, fingerprint, detail (DURATION like 90m, 24h or 7d)",
		Admin:   true,
		Run: func(ctx context.Context, env Env, args []string) error {
			fs := newFlags("audit")
			since := fs.String("since", "", "")
			q := AuditQuery{}
			fs.StringVar(&q.Login, "login", "", "")
			fs.StringVar(&q.Kind, "kind", "", "")
			fs.IntVar(&q.Limit, "limit", defaultAuditLimit, "")
			asJSON := fs.Bool("json", false, "")
			pos, err := parseArgs(fs, args)
			if err != nil {
				return err
			}
			if len(pos) > 0 {
				return Usagef("audit takes no arguments, only flags")
			}
			if q.Limit < 1 || q.Limit > maxAuditLimit {
				return Usagef("--limit takes a number from 1 to %d", maxAuditLimit)
			}
			if *since != "" {
				d, err := parseAge(*since)
				if err != nil {
					return err
				}
				q.Since = time.Now().Add(-d)
			}
			list, err := a.Audit(ctx, q)
			if err != nil {
				return err
			}
			if *asJSON {
				recs := make([]eventRecord, 0, len(list))
				for _, e := range list {
					recs = append(recs, eventRecord{jsonTime(e.At), e.Kind, e.Login, e.Actor, e.Remote, e.Fingerprint, e.Detail})
				}
				return writeJSON(stdout(env), recs)
			}
			t := newTable(stdout(env))
			for _, e := range list {
				t.row(textTime(e.At), e.Kind, e.Login, e.Actor, e.Remote, e.Fingerprint, e.Detail)
			}
			return t.flush()
		},
	}
}

// parseAge parses a positive duration: Go's syntax (90m, 1h30m) or a whole
// number of days (7d).
func parseAge(s string) (time.Duration, error) {
	bad := Usagef("--since takes a duration like 90m, 24h or 7d, not %q", quote(s))
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 100*365 {
			return 0, bad
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, bad
		}
	}
	if d <= 0 {
		return 0, bad
	}
	return d, nil
}

// Kick closes every connection of a login and says how many it closed.
func Kick(a Admin) Command {
	return Command{
		Name:    "kick",
		Args:    "LOGIN",
		Summary: "close all of LOGIN's connections; sessions keep running",
		Admin:   true,
		Run: func(ctx context.Context, env Env, args []string) error {
			login, err := oneLogin(args, "kick")
			if err != nil {
				return err
			}
			n, err := a.Kick(ctx, login)
			if err != nil {
				return named(login, err)
			}
			noun := "connections"
			if n == 1 {
				noun = "connection"
			}
			_, err = fmt.Fprintf(stdout(env), "closed %d %s of %s\n", n, noun, field(login))
			return err
		},
	}
}

// jsonOnly parses args that may only be --json.
func jsonOnly(args []string, cmd string) (bool, error) {
	fs := newFlags(cmd)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return false, err
	}
	if len(pos) > 0 {
		return false, Usagef("%s takes no arguments", cmd)
	}
	return *asJSON, nil
}
