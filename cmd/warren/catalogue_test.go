package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogueNamesRealTests holds SECURITY.md to the code: every row of
// the hostile-input catalogue has a unique tag and at least one test, and
// every script and Go test it names exists, so that a renamed or deleted
// test cannot leave a row claiming protection nobody checks.
func TestCatalogueNamesRealTests(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "SECURITY.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| ([A-Z][0-9]+) \\|")
	code := regexp.MustCompile("`([^`]+)`")
	seen := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		tag := m[1]
		if seen[tag] {
			t.Errorf("%s: tag used twice", tag)
		}
		seen[tag] = true
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		tests := code.FindAllStringSubmatch(cells[len(cells)-1], -1)
		if len(tests) == 0 {
			t.Errorf("%s: no test named", tag)
		}
		for _, tm := range tests {
			if why := missingTest(root, tm[1]); why != "" {
				t.Errorf("%s: %s", tag, why)
			}
		}
	}
	if rows < 50 {
		t.Errorf("read %d catalogue rows; want the whole catalogue", rows)
	}
}

// missingTest says why the test a catalogue row names does not exist, or
// "" when it does: NAME.txtar is an end-to-end script, pkg.TestName (or
// FuzzName, BenchmarkName) a Go test in the package directory named pkg.
func missingTest(root, name string) string {
	if strings.HasSuffix(name, ".txtar") {
		if _, err := os.Stat(filepath.Join("testdata", "script", name)); err != nil {
			return "no script " + name
		}
		return ""
	}
	pkg, fn, ok := strings.Cut(name, ".")
	if !ok {
		return "cannot read test name " + name
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "internal", pkg))
	if d := filepath.Join(root, pkg); pkg == "tui" || pkg == "hostkeys" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, f := range files {
			src, _ := os.ReadFile(f)
			if strings.Contains(string(src), "\nfunc "+fn+"(") {
				return ""
			}
		}
	}
	return "no test " + name
}
