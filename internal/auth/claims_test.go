package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/store"
)

// claimStep is one step of a key-holder scenario, and what must hold after
// it. do is one of:
//
//	file LOGIN:KEY...   the keys file lists these keys (applied with Reload)
//	allow LOGIN...      the allowlist file (applied with Reload)
//	sign LOGIN KEY      KEY's signature checked out for user LOGIN (Verified)
//	give LOGIN KEY      an admin gives KEY to LOGIN (GiveKey)
//	restart             the claims are written, and a new Authenticator
//	                    reads the same files and store
//
// fails says that sign or give must fail. owners lists KEY=LOGIN: whom
// Identify names ("-" for nobody); check lists LOGIN:KEY pairs CheckKey
// accepts (refuses, with a leading !); conflicts, when not "", lists every
// conflict as LOGIN:KEY>HOLDER ("-" while contested), with a trailing +
// when the login takes the key by signing in with it ("none" for none).
type claimStep struct {
	do        string
	fails     bool
	owners    string
	check     string
	conflicts string
}

// claimWorld is a files harness (no GitHub) with keys a, b, c and s.
type claimWorld struct {
	t    *testing.T
	dir  string
	h    *harness
	keys map[string]ssh.PublicKey
	name map[string]string // fingerprint → key name
}

func newClaimWorld(t *testing.T, allow, file string) *claimWorld {
	w := &claimWorld{t: t, dir: t.TempDir(), keys: map[string]ssh.PublicKey{}, name: map[string]string{}}
	for _, n := range []string{"a", "b", "c", "s"} {
		k := newEd25519(t)
		w.keys[n], w.name[ssh.FingerprintSHA256(k)] = k, n
	}
	w.h = filesHarness(t, w.dir, w.allowFile(allow), w.keysFile(file))
	return w
}

func (w *claimWorld) allowFile(logins string) string {
	return strings.Join(strings.Fields(logins), "\n") + "\n"
}

func (w *claimWorld) keysFile(pairs string) string {
	var b strings.Builder
	for _, p := range strings.Fields(pairs) {
		login, key, _ := strings.Cut(p, ":")
		b.WriteString(line(w.keys[key], login) + "\n")
	}
	return b.String()
}

func (w *claimWorld) key(name string) ssh.PublicKey {
	k, ok := w.keys[name]
	if !ok {
		w.t.Fatalf("no key %q", name)
	}
	return k
}

func (w *claimWorld) run(i int, st claimStep) {
	t := w.t
	ctx := context.Background()
	f := strings.Fields(st.do)
	var err error
	switch f[0] {
	case "file":
		writeFile(t, w.dir, "keys", w.keysFile(strings.Join(f[1:], " ")))
		err = w.h.a.Reload()
	case "allow":
		writeFile(t, w.dir, "allow", w.allowFile(strings.Join(f[1:], " ")))
		err = w.h.a.Reload()
	case "sign":
		id, ok := w.h.a.Verified(f[1], w.key(f[2]))
		if ok && id.Login != f[1] {
			t.Fatalf("step %d (%s): Verified gave %q", i, st.do, id.Login)
		}
		if !ok {
			err = errors.New("refused")
		}
	case "give":
		_, err = w.h.a.GiveKey(f[1], ssh.FingerprintSHA256(w.key(f[2])), "boss")
	case "restart":
		if err := w.h.a.flushClaims(ctx); err != nil {
			t.Fatalf("step %d: flush: %v", i, err)
		}
		a, err := New(ctx, w.h.opts)
		if err != nil {
			t.Fatalf("step %d: New: %v", i, err)
		}
		w.h.a = a
	default:
		t.Fatalf("step %d: unknown %q", i, st.do)
	}
	if st.fails != (err != nil) {
		t.Fatalf("step %d (%s): error %v; want failure %v", i, st.do, err, st.fails)
	}
	for _, o := range strings.Fields(st.owners) {
		key, want, _ := strings.Cut(o, "=")
		got := "-"
		if id, ok := w.h.a.Identify(w.key(key)); ok {
			got = id.Login
		}
		if got != want {
			t.Errorf("step %d (%s): Identify(%s) = %s; want %s", i, st.do, key, got, want)
		}
	}
	for _, c := range strings.Fields(st.check) {
		want := !strings.HasPrefix(c, "!")
		login, key, _ := strings.Cut(strings.TrimPrefix(c, "!"), ":")
		if got := w.h.a.CheckKey(login, w.key(key)); got != want {
			t.Errorf("step %d (%s): CheckKey(%s, %s) = %v; want %v", i, st.do, login, key, got, want)
		}
	}
	if st.conflicts == "" {
		return
	}
	var got []string
	for _, c := range w.h.a.Conflicts() {
		holder := c.Holder
		if holder == "" {
			holder = "-"
		}
		s := c.Login + ":" + w.name[c.Fingerprint] + ">" + holder
		if c.Takeable {
			s += "+"
		}
		got = append(got, s)
	}
	slices.Sort(got)
	want := strings.Fields(strings.TrimSpace(strings.ReplaceAll(st.conflicts, "none", "")))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("step %d (%s): conflicts %q; want %q", i, st.do, got, want)
	}
}

func TestKeyHolders(t *testing.T) {
	tests := []struct {
		name  string
		allow string // logins
		file  string // the keys file at start, LOGIN:KEY...
		steps []claimStep
	}{
		{
			name: "first holder keeps the key, newcomer keeps its own", allow: "alice bob", file: "bob:b",
			steps: []claimStep{
				{do: "sign bob b", owners: "b=bob"},
				{do: "file bob:b alice:b alice:a", owners: "b=bob a=alice", check: "bob:b !alice:b alice:a", conflicts: "alice:b>bob"},
				{do: "sign alice b", fails: true, owners: "b=bob", conflicts: "alice:b>bob"},
				{do: "sign alice a", owners: "a=alice"},
			},
		},
		{
			name: "newcomer takes a key its holder only listed by signing in with it", allow: "alice bob", file: "bob:b",
			steps: []claimStep{
				{do: "file bob:b alice:b", owners: "b=bob", check: "bob:b alice:b", conflicts: "alice:b>bob+"},
				{do: "sign alice b", owners: "b=alice", check: "alice:b !bob:b", conflicts: "bob:b>alice"},
				{do: "sign bob b", fails: true, owners: "b=alice"},
			},
		},
		{
			name: "holder signing in first keeps it", allow: "alice bob", file: "bob:b",
			steps: []claimStep{
				{do: "file bob:b alice:b", conflicts: "alice:b>bob+"},
				{do: "sign bob b", owners: "b=bob", check: "!alice:b", conflicts: "alice:b>bob"},
			},
		},
		{
			name: "tie is nobody's until one signs in with it", allow: "alice bob", file: "alice:s bob:s",
			steps: []claimStep{
				{do: "file alice:s bob:s", owners: "s=-", check: "alice:s bob:s", conflicts: "alice:s>-+ bob:s>-+"},
				{do: "sign bob s", owners: "s=bob", check: "!alice:s bob:s", conflicts: "alice:s>bob"},
				{do: "sign alice s", fails: true, owners: "s=bob"},
			},
		},
		{
			name: "tie stays a tie when one drops out", allow: "alice bob", file: "alice:s bob:s",
			steps: []claimStep{
				{do: "file bob:s", owners: "s=-", check: "bob:s !alice:s", conflicts: "bob:s>-+"},
				{do: "file", owners: "s=-", conflicts: "none"},
				// Listed again by one login alone: a new key, its holder.
				{do: "file alice:s", owners: "s=alice", conflicts: "none"},
			},
		},
		{
			name: "holder drops a key it signed in with: the newcomer does not get it", allow: "alice bob", file: "bob:b bob:c",
			steps: []claimStep{
				{do: "sign bob b"},
				{do: "file bob:b bob:c alice:b", conflicts: "alice:b>bob"},
				{do: "file bob:c alice:b", owners: "b=-", check: "!alice:b !bob:b", conflicts: "alice:b>bob"},
				{do: "sign alice b", fails: true, owners: "b=-"},
				{do: "restart", owners: "b=-", check: "!alice:b", conflicts: "alice:b>bob"},
				// bob lists it again: his again.
				{do: "file bob:b bob:c alice:b", owners: "b=bob", check: "bob:b !alice:b", conflicts: "alice:b>bob"},
			},
		},
		{
			name: "holder drops a key it only listed: the newcomer takes it by signing", allow: "alice bob", file: "bob:b bob:c",
			steps: []claimStep{
				{do: "file bob:b bob:c alice:b", conflicts: "alice:b>bob+"},
				{do: "file bob:c alice:b", owners: "b=-", check: "alice:b", conflicts: "alice:b>bob+"},
				{do: "sign alice b", owners: "b=alice", conflicts: "none"},
			},
		},
		{
			name: "holder leaves the allowlist: the key stays its", allow: "alice bob", file: "bob:b",
			steps: []claimStep{
				{do: "sign bob b"},
				{do: "allow alice", owners: "b=-"},
				{do: "file bob:b alice:b", owners: "b=-", check: "!alice:b", conflicts: "alice:b>bob"},
				{do: "allow alice bob", owners: "b=bob", check: "bob:b !alice:b", conflicts: "alice:b>bob"},
			},
		},
		{
			name: "not allowlisted listers do not count", allow: "alice", file: "carol:a alice:a",
			steps: []claimStep{
				{do: "file carol:a alice:a", owners: "a=alice", check: "alice:a !carol:a", conflicts: "none"},
			},
		},
		{
			name: "restart keeps holders and conflicts", allow: "alice bob carol", file: "bob:b carol:c",
			steps: []claimStep{
				{do: "sign bob b"},
				{do: "sign carol c"},
				{do: "file bob:b carol:c alice:a alice:b alice:c", conflicts: "alice:b>bob alice:c>carol"},
				{do: "restart", owners: "a=alice b=bob c=carol", check: "bob:b carol:c alice:a !alice:b !alice:c", conflicts: "alice:b>bob alice:c>carol"},
				{do: "file bob:b carol:c alice:a alice:b alice:c", owners: "b=bob c=carol", conflicts: "alice:b>bob alice:c>carol"},
			},
		},
		{
			name: "restart keeps a tie and a listed holder open to proof", allow: "alice bob", file: "alice:s bob:s bob:b",
			steps: []claimStep{
				{do: "file alice:s bob:s bob:b alice:b", conflicts: "alice:s>-+ bob:s>-+ alice:b>bob+"},
				{do: "restart", owners: "s=- b=bob", check: "alice:s bob:s alice:b", conflicts: "alice:s>-+ bob:s>-+ alice:b>bob+"},
				{do: "sign alice s", owners: "s=alice"},
			},
		},
		{
			name: "an admin gives a key", allow: "alice bob", file: "bob:b alice:b",
			steps: []claimStep{
				{do: "sign bob b", owners: "b=bob", conflicts: "alice:b>bob"},
				{do: "give alice b", owners: "b=alice", check: "alice:b !bob:b", conflicts: "bob:b>alice"},
				{do: "sign bob b", fails: true},
				{do: "restart", owners: "b=alice", conflicts: "bob:b>alice"},
				{do: "give alice c", fails: true},
				{do: "give carol b", fails: true},
				{do: "give bob b", owners: "b=bob", conflicts: "alice:b>bob"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newClaimWorld(t, tt.allow, tt.file)
			for i, st := range tt.steps {
				w.run(i, st)
			}
		})
	}
}

// Each new conflict is logged and audited once, naming the newcomer and
// the holder; a conflict that ended and came back is new again. Nothing is
// audited twice across a restart.
func TestKeyConflictAuditedOnce(t *testing.T) {
	w := newClaimWorld(t, "alice bob", "bob:b")
	ctx := context.Background()
	fpB := ssh.FingerprintSHA256(w.key("b"))
	w.run(0, claimStep{do: "sign bob b"})
	for i := range 3 {
		w.run(1+i, claimStep{do: "file bob:b alice:b", conflicts: "alice:b>bob"})
	}
	if err := w.h.a.flushClaims(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"keys.conflict alice held by bob"}
	if got := w.h.store.eventsOf(EventKeysConflict); !slices.Equal(got, want) {
		t.Errorf("events %q; want %q", got, want)
	}
	if got := w.h.logs.count("WARN key conflict: a key listed by a second login stays with its holder", "login=alice", "holder=bob", "fingerprint="+fpB); got != 1 {
		t.Errorf("got %d conflict warnings; want 1", got)
	}
	if got, want := w.h.store.claimsOf(fpB), []string{"alice refused", "bob holder signed"}; !slices.Equal(got, want) {
		t.Errorf("stored claims %q; want %q", got, want)
	}
	w.run(4, claimStep{do: "restart", conflicts: "alice:b>bob"})
	if got := w.h.logs.count("WARN key conflict still standing", "login=alice", "holder=bob"); got != 1 {
		t.Errorf("got %d standing warnings; want 1", got)
	}
	w.run(5, claimStep{do: "file bob:b alice:b", conflicts: "alice:b>bob"})
	_ = w.h.a.flushClaims(ctx)
	if got := w.h.store.eventsOf(EventKeysConflict); !slices.Equal(got, want) {
		t.Errorf("after a restart: events %q; want %q", got, want)
	}
	// alice stops listing it, then lists it again: a new conflict.
	w.run(6, claimStep{do: "file bob:b"})
	_ = w.h.a.flushClaims(ctx)
	if got, want := w.h.store.claimsOf(fpB), []string{"bob holder signed"}; !slices.Equal(got, want) {
		t.Errorf("stored claims %q; want %q", got, want)
	}
	w.run(7, claimStep{do: "file bob:b alice:b", conflicts: "alice:b>bob"})
	_ = w.h.a.flushClaims(ctx)
	if got := w.h.store.eventsOf(EventKeysConflict); len(got) != 2 {
		t.Errorf("events %q; want 2", got)
	}
}

func TestKeyClaimEvents(t *testing.T) {
	w := newClaimWorld(t, "alice bob carol", "alice:s bob:s carol:c")
	ctx := context.Background()
	w.run(0, claimStep{do: "sign bob s", owners: "s=bob"})
	w.run(1, claimStep{do: "file alice:s bob:s carol:c alice:c", conflicts: "alice:s>bob alice:c>carol+"})
	w.run(2, claimStep{do: "sign alice c", owners: "c=alice"})
	w.run(3, claimStep{do: "give carol c", owners: "c=carol"})
	if err := w.h.a.flushClaims(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kind := range []string{EventKeysConflict, EventKeysClaimed} {
		got = append(got, w.h.store.eventsOf(kind)...)
	}
	want := []string{
		"keys.conflict alice listed at once by alice,bob: nobody's until one of them signs in with it",
		"keys.conflict bob listed at once by alice,bob: nobody's until one of them signs in with it",
		"keys.conflict alice held by carol",
		"keys.conflict carol held by alice",
		"keys.conflict alice held by carol",
		"keys.claimed bob signed in with it; listed at once by alice,bob",
		"keys.claimed alice signed in with it; held by carol, who had only listed it",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := w.h.logs.count("WARN key given by an admin", "login=carol", "from=alice", "by=boss"); got != 1 {
		t.Errorf("got %d give warnings; want 1", got)
	}
}

// A squatter who copies a teammate's new key faster than warren refreshes,
// and is fetched first, gets nothing: the teammate signs in with the key
// and it is theirs; the squatter can never sign with it.
func TestSquatterCopyingANewKey(t *testing.T) {
	bob1, bob2, mine := newEd25519(t), newEd25519(t), newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice", "bob"} }, func(h *harness) {
		h.gh.keys("alice", mine)
		h.gh.keys("bob", bob1)
	})
	ctx := context.Background()
	for _, l := range []string{"alice", "bob"} {
		if err := h.a.Refresh(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := h.a.Verified("bob", bob1); !ok {
		t.Fatal("bob refused with his key")
	}
	h.gh.keys("bob", bob1, bob2)
	h.gh.keys("alice", mine, bob2)
	for _, l := range []string{"alice", "bob"} { // alice's fetch comes first
		if err := h.a.Refresh(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if id, ok := h.a.Identify(bob2); !ok || id.Login != "alice" {
		t.Fatalf("Identify(bob's new key) = %+v, %v; want alice, who was seen first", id, ok)
	}
	if !h.a.CheckKey("bob", bob2) {
		t.Fatal("CheckKey(bob, his new key) = false; want true: he takes it by signing in with it")
	}
	if id, ok := h.a.Verified("bob", bob2); !ok || id.Login != "bob" {
		t.Fatalf("Verified(bob, his new key) = %+v, %v; want bob", id, ok)
	}
	if _, ok := h.a.Verified("alice", bob2); ok || h.a.CheckKey("alice", bob2) {
		t.Error("alice still gets bob's new key")
	}
	if !h.a.CheckKey("alice", mine) || !h.a.CheckKey("bob", bob1) {
		t.Error("own keys refused")
	}
}

// A GitHub key set that is suspended (404) lists nothing, but its holder
// keeps its keys: a newcomer listing them meanwhile gets nothing.
func TestSuspendedHolderKeepsItsKeys(t *testing.T) {
	bob, mine := newEd25519(t), newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice", "bob"} }, func(h *harness) {
		h.gh.keys("alice", mine)
		h.gh.keys("bob", bob)
	})
	ctx := context.Background()
	for _, l := range []string{"alice", "bob"} {
		if err := h.a.Refresh(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	h.a.Verified("bob", bob)
	h.gh.set("bob", response{status: 404, ctype: "text/plain", body: "Not Found"})
	_ = h.a.Refresh(ctx, "bob")
	h.gh.keys("alice", mine, bob)
	if err := h.a.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if h.a.CheckKey("alice", bob) {
		t.Error("CheckKey(alice, bob's key) while bob is suspended = true; want false")
	}
	h.gh.keys("bob", bob)
	if err := h.a.Refresh(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if id, ok := h.a.Identify(bob); !ok || id.Login != "bob" {
		t.Errorf("Identify(bob's key) once bob is back = %+v, %v; want bob", id, ok)
	}
}

// Laptop mode: the local user's keys follow the same rules as the rest.
func TestLocalKeyHolder(t *testing.T) {
	dir, keysDir := t.TempDir(), t.TempDir()
	me := newEd25519(t)
	writeFile(t, dir, "id_ed25519.pub", line(me, "me@laptop")+"\n")
	keys := writeFile(t, keysDir, "keys", "")
	h := newHarness(t, func(o *Options) {
		o.GitHubURL = ""
		o.Allow = []string{"mallory"}
		o.KeysFile = keys
		o.LocalLogin, o.LocalKeyDir = "me", dir
	})
	if _, ok := h.a.Verified("me", me); !ok {
		t.Fatal("Verified(me) = false")
	}
	writeFile(t, keysDir, "keys", line(me, "mallory")+"\n")
	if err := h.a.Reload(); err != nil {
		t.Fatal(err)
	}
	if h.a.CheckKey("mallory", me) || !h.a.CheckKey("me", me) {
		t.Error("mallory took the local user's key")
	}
	if c, ok := h.a.ConflictOf("mallory", ssh.FingerprintSHA256(me)); !ok || c.Holder != "me" || c.Takeable {
		t.Errorf("ConflictOf(mallory) = %+v, %v; want held by me, not takeable", c, ok)
	}
}

// A failed write of the claims is logged and written by the next flush;
// the claim writer started by Run writes without being asked.
func TestKeyClaimsWritten(t *testing.T) {
	w := newClaimWorld(t, "alice bob", "bob:b")
	ctx := context.Background()
	fpB := ssh.FingerprintSHA256(w.key("b"))
	w.h.store.mu.Lock()
	w.h.store.claimErr = fmt.Errorf("disk full: %w", store.ErrFull)
	w.h.store.mu.Unlock()
	w.run(0, claimStep{do: "sign bob b"})
	if err := w.h.a.flushClaims(ctx); !errors.Is(err, store.ErrFull) {
		t.Fatalf("flush error %v; want ErrFull", err)
	}
	if got := w.h.logs.count("ERROR store key claims"); got != 1 {
		t.Errorf("got %d error logs; want 1", got)
	}
	w.h.store.mu.Lock()
	w.h.store.claimErr = nil
	w.h.store.mu.Unlock()
	w.h.run(t)
	w.run(1, claimStep{do: "file bob:b alice:b", conflicts: "alice:b>bob"})
	eventually(t, 5*time.Second, "claims written by Run", func() bool {
		return slices.Equal(w.h.store.claimsOf(fpB), []string{"alice refused", "bob holder signed"})
	})
}
