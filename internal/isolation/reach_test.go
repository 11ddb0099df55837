package isolation

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheckReachable(t *testing.T) {
	base := reachableTempDir(t)
	mkdir := func(rel string, perm os.FileMode) string {
		p := filepath.Join(base, rel)
		if err := os.Mkdir(p, perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
		return p
	}
	symlink := func(to, rel string) string {
		p := filepath.Join(base, rel)
		if err := os.Symlink(to, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	program := "#!/bin/sh\nexit 0\n"

	open := mkdir("open", 0o711)
	listable := mkdir("open/listable", 0o755)
	closed := mkdir("closed", 0o700)
	inClosed := mkdir("closed/inner", 0o755)
	groupOnly := mkdir("group-only", 0o750)
	tool := writeFile(t, listable, "tool", program, 0o755)
	closedTool := writeFile(t, inClosed, "tool", program, 0o755)
	plain := writeFile(t, open, "plain", "data", 0o644)
	groupTool := writeFile(t, open, "group-tool", program, 0o750)
	linkToTool := symlink(tool, "open/link-to-tool")
	linkToClosedTool := symlink(closedTool, "open/link-to-closed-tool")
	linkInClosed := symlink(tool, "closed/link-to-tool")
	relLink := symlink("listable/tool", "open/relative-link")
	dataLink := symlink(inClosed, "open/data") // --data pointing into a 0700 home

	tests := []struct {
		name string
		path string
		exec bool
		want []string // in the error; nil for reachable
	}{
		{name: "0711 chain", path: open},
		{name: "0755 under 0711", path: listable},
		{name: "0700 parent", path: inClosed, want: []string{closed + " ", "0700", "pass through"}},
		{name: "0700 itself", path: closed, want: []string{closed + " ", "0700"}},
		{name: "0750 itself", path: groupOnly, want: []string{groupOnly, "0750"}},
		{name: "executable", path: tool, exec: true},
		{name: "executable in a 0700 directory", path: closedTool, exec: true, want: []string{closed + " ", "0700"}},
		{name: "not executable", path: plain, exec: true, want: []string{plain, "0644", "execute"}},
		{name: "executable by its group only", path: groupTool, exec: true, want: []string{groupTool, "0750", "execute"}},
		{name: "symlink to an executable", path: linkToTool, exec: true},
		{name: "relative symlink to an executable", path: relLink, exec: true},
		{name: "symlink to an executable in a 0700 directory", path: linkToClosedTool, exec: true, want: []string{closed + " ", "0700"}},
		{name: "symlink in a 0700 directory", path: linkInClosed, exec: true, want: []string{closed + " ", "0700"}},
		{name: "symlink to a directory under a 0700 one", path: dataLink, want: []string{closed + " ", "0700"}},
		{name: "missing", path: filepath.Join(open, "nothing"), want: []string{"nothing"}},
		{name: "missing program", path: filepath.Join(open, "nothing"), exec: true, want: []string{"nothing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckReachable(tt.path, tt.exec)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckReachable(%q, %t): got %v; want nil", tt.path, tt.exec, err)
				}
			} else {
				if err == nil {
					t.Fatalf("CheckReachable(%q, %t): got nil; want an error naming %q", tt.path, tt.exec, tt.want)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error()+" ", w) {
						t.Errorf("CheckReachable(%q, %t): got %q; want it to contain %q", tt.path, tt.exec, err, w)
					}
				}
			}
			if os.Geteuid() == 0 {
				// The kernel agrees: an unrelated uid can (or cannot) get there.
				script := `cd "$1"`
				if tt.exec {
					script = `"$1"`
				}
				cmd := exec.Command("/bin/sh", "-c", script, "sh", tt.path)
				cmd.Dir = "/"
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testUID, Gid: testUID, Groups: []uint32{}}}
				out, kerr := cmd.CombinedOutput()
				if (kerr == nil) != (err == nil) {
					t.Errorf("uid %d running %q: got %v (%s); CheckReachable said %v", testUID, script, kerr, out, err)
				}
			}
		})
	}

	t.Run("relative path", func(t *testing.T) {
		t.Chdir(base)
		if err := CheckReachable("open/listable", false); err != nil {
			t.Errorf("got %v; want nil", err)
		}
		if err := CheckReachable("closed/inner", false); err == nil || !strings.Contains(err.Error(), closed+" ") {
			t.Errorf("got %v; want an error naming %s", err, closed)
		}
	})
}

func TestCopyExecutable(t *testing.T) {
	// A program built into a 0700 cache, as `go run` does.
	cache := t.TempDir()
	src := writeFile(t, cache, "exe", "#!/bin/sh\necho v1\n", 0o700)
	data := reachableTempDir(t)
	dir := filepath.Join(data, "libexec")

	dst, err := CopyExecutable(src, dir, "warren")
	if err != nil {
		t.Fatalf("CopyExecutable: %v", err)
	}
	if want := filepath.Join(dir, "warren"); dst != want {
		t.Errorf("got %q; want %q", dst, want)
	}
	checkCopy := func(want string) os.FileInfo {
		t.Helper()
		if b, err := os.ReadFile(dst); err != nil || string(b) != want {
			t.Errorf("copy: got %q, %v; want %q", b, err, want)
		}
		fi, err := os.Lstat(dst)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o755 {
			t.Errorf("copy: got mode %v; want a regular file, 0755", fi.Mode())
		}
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o711 {
			t.Errorf("%s: got %v, %v; want 0711", dir, fi.Mode(), err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%s holds %v; want the copy alone", dir, entries)
		}
		if err := CheckReachable(dst, true); err != nil {
			t.Errorf("the copy is out of reach: %v", err)
		}
		return fi
	}
	first := checkCopy("#!/bin/sh\necho v1\n")

	// An identical copy stays: a session may be running it.
	if _, err := CopyExecutable(src, dir, "warren"); err != nil {
		t.Fatal(err)
	}
	if again := checkCopy("#!/bin/sh\necho v1\n"); !os.SameFile(first, again) {
		t.Errorf("an identical copy was rewritten")
	}

	// A new build replaces it, as does a copy that lost its mode.
	writeFile(t, cache, "exe", "#!/bin/sh\necho v2\n", 0o700)
	if _, err := CopyExecutable(src, dir, "warren"); err != nil {
		t.Fatal(err)
	}
	checkCopy("#!/bin/sh\necho v2\n")
	if err := os.Chmod(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := CopyExecutable(src, dir, "warren"); err != nil {
		t.Fatal(err)
	}
	checkCopy("#!/bin/sh\necho v2\n")

	// A symlink there, even to the program itself, is replaced by a file.
	if err := os.Remove(dst); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := CopyExecutable(src, dir, "warren"); err != nil {
		t.Fatal(err)
	}
	checkCopy("#!/bin/sh\necho v2\n")
	if fi, err := os.Stat(src); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the program itself changed: %v, %v", fi.Mode(), err)
	}

	if _, err := CopyExecutable(filepath.Join(cache, "nothing"), dir, "warren"); err == nil {
		t.Errorf("copying a missing program: got nil; want an error")
	}

	if os.Geteuid() == 0 {
		// A session uid runs the copy, and could not run the original.
		for p, want := range map[string]bool{dst: true, src: false} {
			cmd := exec.Command(p)
			cmd.Dir = "/"
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testUID, Gid: testUID, Groups: []uint32{}}}
			out, err := cmd.CombinedOutput()
			if (err == nil) != want {
				t.Errorf("uid %d running %s: got %v (%s); want it to run: %t", testUID, p, err, out, want)
			}
		}
	}
}
