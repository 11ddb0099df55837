// Package internal_test keeps warren's import graph honest: each package may
// import only the warren packages DESIGN.md allows it.
package internal_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/warren-ssh/warren"

// allowed lists, for every warren package, the warren packages it may
// import directly. A package missing from this table fails the test, so a
// new package has to take a place in the graph on purpose.
var allowed = map[string][]string{
	"internal":                {}, // this test
	"cmd/warren":              {"internal/server", "internal/config", "internal/isolation", "hostkeys"},
	"cmd/warren-bench":        {}, // runs the warren binary; imports none of it
	"cmd/warren-session-exec": {"internal/isolation"},
	"hostkeys":                {},
	"tui":                     {},
	"internal/config":         {},
	"internal/store":          {},
	"internal/history":        {},
	"internal/screen":         {},
	"internal/admission":      {},
	"internal/cgroup":         {},
	"internal/quota":          {},
	"internal/isolation":      {},
	"internal/commands":       {},
	"internal/auth":           {"internal/store"},
	"internal/workspace":      {"internal/store"},
	"internal/session":        {"internal/history", "internal/screen"},
	"internal/server":         {"*"},
}

func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		may, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s has no entry in the import table; add it on purpose", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			rel, isOurs := strings.CutPrefix(imp, module+"/")
			if !isOurs || slices.Contains(may, "*") {
				continue
			}
			if !slices.Contains(may, rel) {
				t.Errorf("%s imports %s; it may import only %v", pkg, rel, may)
			}
		}
	}
}
