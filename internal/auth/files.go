package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
		return nil, stampOf(nil, err), fmt.Errorf("read %s: %w", path, err)
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

// watchedFiles lists the files Run polls, in load order.
func (a *Authenticator) watchedFiles() []string {
	var files []string
	if a.opts.AllowFile != "" {
		files = append(files, a.opts.AllowFile)
	}
	if a.opts.KeysFile != "" {
		files = append(files, a.opts.KeysFile)
	}
	return append(files, a.opts.LocalKeyFiles...)
}

// Reload re-reads the allowlist file, the keys file and the local key files
// now (on SIGHUP, say). A file that cannot be read or, for the allowlist,
// parsed keeps its previous contents; the error is logged and returned.
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
// applied meanwhile. a.reloadMu must be held.
func (a *Authenticator) loadFileLocked(path string, initial bool) error {
	data, st, err := readFile(path)
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
		a.localKeys = a.mergeLocalLocked(path, keys)
		if a.snap.Load() != nil {
			a.publishLocked()
		}
		return nil
	}
}

// mergeLocalLocked returns the local keys with path's keys replaced by
// keys. a.mu must be held.
func (a *Authenticator) mergeLocalLocked(path string, keys []Key) []Key {
	if a.localByFile == nil {
		a.localByFile = make(map[string][]Key)
	}
	a.localByFile[path] = keys
	var out []Key
	for _, p := range a.opts.LocalKeyFiles {
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
	files := a.watchedFiles()
	if len(files) == 0 {
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
		a.pollFiles(files)
	}
}

// pollFiles reloads each of files whose stamp differs from the one last
// loaded and has settled: it is the same as at the previous poll. A file
// rewritten in place (truncated, then written, as cp or an editor may do)
// is never applied half-written or empty, at the cost of one WatchInterval.
func (a *Authenticator) pollFiles(files []string) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	for _, path := range files {
		st := stampOf(os.Stat(path))
		prev := a.polled[path]
		a.polled[path] = st
		if st == a.stamps[path] || st != prev {
			continue // unchanged, or still changing
		}
		_ = a.loadFileLocked(path, false) // logged inside; the previous contents stay
	}
}
