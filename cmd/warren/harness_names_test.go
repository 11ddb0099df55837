package main

import (
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// nssWrapperGlobs are where distributions install libnss_wrapper.so.
var nssWrapperGlobs = []string{
	"/usr/lib/*/libnss_wrapper.so", "/lib/*/libnss_wrapper.so",
	"/usr/lib64/libnss_wrapper.so", "/usr/lib/libnss_wrapper.so",
	"/lib64/libnss_wrapper.so", "/lib/libnss_wrapper.so", "/usr/local/lib/libnss_wrapper.so",
}

// withoutNSSWrapper is what serve -no-nss-wrapper starts warren through: a
// mount namespace of its own in which every libnss_wrapper.so is /dev/null,
// as on a machine without the package. Its sessions inherit it. It needs
// root; scripts that use it carry [root].
func withoutNSSWrapper(ts *testscript.TestScript) []string {
	var libs []string
	for _, g := range nssWrapperGlobs {
		m, err := filepath.Glob(g)
		ts.Check(err)
		libs = append(libs, m...)
	}
	if len(libs) == 0 {
		ts.Fatalf("serve -no-nss-wrapper: no libnss_wrapper.so to hide (apt-get install libnss-wrapper; .ci/run does)")
	}
	// sh -c SCRIPT sh LIB... -- PROGRAM ARGS...: mask each LIB, then exec.
	script := `while [ "$1" != -- ]; do mount --bind /dev/null "$1" || exit 1; shift; done; shift; exec "$@"`
	prefix := []string{lookPath(ts, "unshare"), "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh"}
	return append(append(prefix, libs...), "--")
}
