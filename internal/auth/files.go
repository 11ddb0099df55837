package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// maxFileBytes caps the allowlist, keys file and local key files.
const maxFileBytes = 4 << 20

// fileStamp is what the watcher compares to notice a changed file.
type fileStamp struct {
	size    int64
	modTime int64  // UnixNano
	err     string // stat error, so a missing file is noticed once
}

func stampOf(fi os.FileInfo, err error) fileStamp {
	if err != nil {
		return fileStamp{err: err.Error()}
	}
	return fileStamp{size: fi.Size(), modTime: fi.ModTime().UnixNano()}
}

// readFile reads at most maxFileBytes of path and returns its stamp taken
// before the read, so a write racing the read is noticed by the next poll.
func readFile(path string) ([]byte, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, stampOf(nil, err), err // names the path already
	}
	defer f.Close()
	st := stampOf(f.Stat())
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, st, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, st, fmt.Errorf("read %s: over %d bytes: %w", path, maxFileBytes, ErrTooLarge)
	}
	return data, st, nil
}

// LoadAllowlistFile reads and parses an allowlist file as New and Reload
// do, so that a caller can check one before it starts anything.
func LoadAllowlistFile(path string) (Allowlist, error) {
	data, _, err := readFile(path)
	if err != nil {
		return Allowlist{}, err
	}
	allow, err := ParseAllowlist(data)
	if err != nil {
		return Allowlist{}, fmt.Errorf("%s: %w", path, err)
	}
	return allow, nil
}

// CheckKeysFile reads a keys file as New and Reload do and reports why it
// cannot be read, if it cannot. Unusable lines are skipped there, not
// refused.
func CheckKeysFile(path string) error {
	_, _, err := readFile(path)
	return err
}

// watchedFiles lists the files Run polls, in load order: the allowlist,
// the keys file, then the local key files, those LocalKeyDir lists now and
// those loaded before, so that a deleted one is noticed. a.reloadMu must
// be held.
func (a *Authenticator) watchedFiles() []string {
	var files []string
	if a.opts.AllowFile != "" {
		files = append(files, a.opts.AllowFile)
	}
	if a.opts.KeysFile != "" {
		files = append(files, a.opts.KeysFile)
	}
	if a.opts.LocalKeyDir == "" {
		return files
	}
	local := map[string]bool{}
	for _, p := range listLocalKeyFiles(a.opts.LocalKeyDir) {
		local[p] = true
	}
	a.mu.Lock()
	for p := range a.localByFile {
		local[p] = true
	}
	a.mu.Unlock()
	return append(files, slices.Sorted(maps.Keys(local))...)
}

// listLocalKeyFiles returns the files of dir that hold its user's public
// keys: *.pub (but certificates, *-cert.pub) and authorized_keys. A
// directory that cannot be listed holds none.
func listLocalKeyFiles(dir string) []string {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var files []string
	for _, de := range des {
		name := de.Name()
		if de.IsDir() || strings.HasSuffix(name, "-cert.pub") {
			continue
		}
		if strings.HasSuffix(name, ".pub") || name == "authorized_keys" {
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files
}

// isLocalKeyFile reports whether path is one of LocalKeyDir's files.
func (a *Authenticator) isLocalKeyFile(path string) bool {
	return a.opts.LocalKeyDir != "" && path != a.opts.AllowFile && path != a.opts.KeysFile &&
		filepath.Dir(path) == filepath.Clean(a.opts.LocalKeyDir)
}

// Reload re-reads the allowlist file, the keys file and the local key files
// now (on SIGHUP, say), listing LocalKeyDir again. A file that cannot be
// read or, for the allowlist, parsed keeps its previous contents; the error
// is logged and returned. A local key file that is gone takes its keys
// with it.
func (a *Authenticator) Reload() error {
	return a.loadFiles(false)
}

// loadFiles (re)reads every configured file. With initial set it reads
// them for New and reports errors without logging them.
func (a *Authenticator) loadFiles(initial bool) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	var errs []error
	for _, path := range a.watchedFiles() {
		errs = append(errs, a.loadFileLocked(path, initial))
	}
	return errors.Join(errs...)
}

// loadFileLocked reads one watched file and, on success, publishes what it
// holds. A file that changed while it was read gets a stale stamp, so the
// watcher reads it again once it has settled; after start-up it is not
// applied meanwhile. A local key file never fails start-up: one that cannot
// be read is logged and holds no keys. a.reloadMu must be held.
func (a *Authenticator) loadFileLocked(path string, initial bool) error {
	data, st, err := readFile(path)
	if a.isLocalKeyFile(path) {
		if errors.Is(err, fs.ErrNotExist) {
			a.dropLocalLocked(path)
			return nil
		}
		if err != nil && initial {
			a.log.Warn("local key file skipped", "file", path, "err", err)
			a.stamps[path] = st
			return nil
		}
	}
	a.stamps[path] = st
	if err == nil && stampOf(os.Stat(path)) != st {
		a.stamps[path] = fileStamp{err: "changed while read"}
		a.log.Debug("file changed while read; reading it again once it settles", "file", path)
		if !initial {
			return nil
		}
	}
	if err == nil {
		err = a.apply(path, data)
	}
	if err != nil && !initial {
		a.log.Error("reload failed; keeping previous contents", "file", path, "err", err)
	}
	return err
}

// apply parses data as the file at path and publishes it.
func (a *Authenticator) apply(path string, data []byte) error {
	switch path {
	case a.opts.AllowFile:
		allow, err := ParseAllowlist(data)
		if err != nil {
			return fmt.Errorf("load %s: %w", path, err)
		}
		a.mu.Lock()
		before := a.snap.Load()
		a.fileAllow = allow
		if before != nil {
			a.publishLocked()
		}
		after := a.snap.Load()
		a.mu.Unlock()
		if before != nil {
			a.log.Info("allowlist loaded", "file", path, "logins", after.allow.Len())
			a.afterAllowChange(before, after)
		}
		return nil
	case a.opts.KeysFile:
		keys, skipped := ParseKeysFile(data)
		a.logSkipped(path, skipped)
		a.mu.Lock()
		a.fileKeys = keys
		if a.snap.Load() != nil {
			a.publishLocked()
		}
		a.mu.Unlock()
		return nil
	default: // a local key file
		keys, skipped := ParseKeys(data)
		a.logSkipped(path, skipped)
		a.mu.Lock()
		defer a.mu.Unlock()
		started := a.snap.Load() != nil
		a.localKeys = a.mergeLocalLocked(path, keys)
		if started {
			a.publishLocked()
			a.log.Info("local keys loaded", "file", path, "keys", len(keys), "login", a.opts.LocalLogin)
		}
		return nil
	}
}

// dropLocalLocked forgets a local key file that is gone, and its keys.
// a.reloadMu must be held.
func (a *Authenticator) dropLocalLocked(path string) {
	delete(a.stamps, path)
	delete(a.polled, path)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.localByFile[path]; !ok {
		return
	}
	delete(a.localByFile, path)
	a.localKeys = a.mergeLocalLocked("", nil)
	if a.snap.Load() != nil {
		a.publishLocked()
		a.log.Info("local key file gone; its keys no longer let anyone in", "file", path, "login", a.opts.LocalLogin)
	}
}

// mergeLocalLocked returns the local keys with path's keys replaced by
// keys ("" replaces nothing), in file name order. a.mu must be held.
func (a *Authenticator) mergeLocalLocked(path string, keys []Key) []Key {
	if a.localByFile == nil {
		a.localByFile = make(map[string][]Key)
	}
	if path != "" {
		a.localByFile[path] = keys
	}
	var out []Key
	for _, p := range slices.Sorted(maps.Keys(a.localByFile)) {
		out = append(out, a.localByFile[p]...)
	}
	return out
}

// afterAllowChange asks for a prompt fetch of logins that the allowlist
// just gained and that have no cached keys yet.
func (a *Authenticator) afterAllowChange(before, after *snapshot) {
	if a.fetcher == nil {
		return
	}
	for login, lk := range after.logins {
		if _, had := before.logins[login]; !had && lk.githubCount == 0 {
			a.requestFetch(login)
		}
	}
}

func (a *Authenticator) logSkipped(source string, skipped []SkippedLine) {
	const maxLogged = 10
	for i, s := range skipped {
		if i == maxLogged {
			a.log.Warn("more key lines skipped", "source", source, "count", len(skipped)-maxLogged)
			return
		}
		a.log.Warn("key line skipped", "source", source, "line", s.Line, "reason", s.Reason)
	}
}

// watch polls the watched files every WatchInterval and reloads any whose
// size or modification time changed. It ends when ctx ends.
func (a *Authenticator) watch(ctx context.Context) {
	if a.opts.AllowFile == "" && a.opts.KeysFile == "" && a.opts.LocalKeyDir == "" {
		return
	}
	t := time.NewTicker(WatchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.pollFiles()
	}
}

// pollFiles reloads each watched file whose stamp differs from the one
// last loaded and has settled: it is the same as at the previous poll. A
// file rewritten in place (truncated, then written, as cp or an editor may
// do) is never applied half-written or empty, at the cost of one
// WatchInterval; a new local key file is applied once it has settled, and
// a deleted one once it has stayed away for two polls.
func (a *Authenticator) pollFiles() {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	for _, path := range a.watchedFiles() {
		st := stampOf(os.Stat(path))
		prev := a.polled[path]
		a.polled[path] = st
		if st == a.stamps[path] || st != prev {
			continue // unchanged, or still changing
		}
		_ = a.loadFileLocked(path, false) // logged inside; the previous contents stay
	}
}
