package isolation

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestMain lets the test binary stand in for the warren binary: started as
// Wrap starts it ("warren session-exec …"), it is the shim and nothing else.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ShimCommand {
		os.Exit(Shim(os.Args[2:], os.Stderr))
	}
	os.Exit(m.Run())
}

// testUID is the uid tests hand directories to and run programs as: the
// first of DefaultRange, which no account of a test machine uses.
const testUID = 20000

// requireRoot skips tests that chown files or switch uids.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown files and run programs as other uids (CI runs as root)")
	}
}

// reachableTempDir returns a new temporary directory that any uid can pass
// through: it and the per-test directory above it are made 0711 (t.TempDir
// makes both 0700).
func reachableTempDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	for _, p := range []string{filepath.Dir(d), d} {
		if err := os.Chmod(p, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckReachable(d, false); err != nil {
		t.Fatalf("the temporary directory must lie in directories others can search (set TMPDIR): %v", err)
	}
	return d
}

// shimBinary copies the test binary to a place every uid can run it from,
// and returns its path: the warren binary for Wrap.
func shimBinary(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(reachableTempDir(t), "bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(dir, "warren")
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckReachable(path, true); err != nil {
		t.Fatalf("shim binary: %v", err)
	}
	return path
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	return p
}
