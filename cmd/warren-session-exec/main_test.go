package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warren-ssh/warren/internal/isolation"
)

// The built binary, wrapped as warren wraps a session's program, runs the
// program with umask 077 and the limits asked for.
func TestBinaryAppliesUmaskAndLimits(t *testing.T) {
	bin := filepath.Join(t.TempDir(), isolation.ShimBinary)
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command("/bin/sh", "-c", `umask; ulimit -n; sed -n 's/^Max processes  *\([0-9]*\).*/\1/p' /proc/self/limits; echo "$0 $1"`, "zero", "one")
	if err := isolation.Wrap(cmd, bin, isolation.Limits{Procs: 321, Files: 123}); err != nil {
		t.Fatal(err)
	}
	if cmd.Args[0] != isolation.ShimBinary {
		t.Errorf("argv[0] = %q; want %q", cmd.Args[0], isolation.ShimBinary)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got, want := strings.Fields(string(out)), []string{"0077", "123", "321", "zero", "one"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestBinaryRefusesBadUsage(t *testing.T) {
	if os.Getenv("WARREN_SHIM_MAIN") == "1" {
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBinaryRefusesBadUsage$")
	cmd.Env = append(os.Environ(), "WARREN_SHIM_MAIN=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("got %v; want exit status 2\n%s", err, out)
	}
}
