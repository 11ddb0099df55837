package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

const service = "system.slice/warren.service"

// serviceKernel is a systemd-like host: the server and a helper run in
// warren.service, which is delegated cpu, memory and pids.
func serviceKernel(t *testing.T) *fakeKernel {
	return newFakeKernel(t, []string{"cpu", "memory", "pids"}, map[string][]int{
		"system.slice": nil,
		service:        {100, 101},
	})
}

func openFake(t *testing.T, k *fakeKernel, self string, memory bool) *Tree {
	t.Helper()
	tr, err := open(Options{Root: k.root, Self: self, Memory: memory}, host{}, k)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return tr
}

func checkCalls(t *testing.T, k *fakeKernel, want []string) {
	t.Helper()
	if got := k.calls(); !slices.Equal(got, want) {
		t.Errorf("kernel calls:\n got %q\nwant %q", got, want)
	}
}

func checkFiles(t *testing.T, k *fakeKernel, want map[string]string) {
	t.Helper()
	for rel, w := range want {
		if got := k.get(rel); got != w {
			t.Errorf("%s = %q; want %q", rel, got, w)
		}
	}
}

func TestOpenService(t *testing.T) {
	for _, tc := range []struct {
		name   string
		memory bool
		enable string
		files  map[string]string
	}{
		{
			name:   "pids",
			enable: "+pids",
			files: map[string]string{
				service + "/cgroup.subtree_control":                 "pids",
				service + "/warren-sessions/cgroup.subtree_control": "pids",
				service + "/warren-sessions/cgroup.controllers":     "pids",
				service + "/warren-server/cgroup.controllers":       "pids",
				service + "/warren-server/pids.max":                 "max",
				service + "/warren-server/memory.max":               "<missing>",
				service + "/cgroup.procs":                           "",
				service + "/warren-server/cgroup.procs":             "100\n101",
				service + "/warren-sessions/cgroup.procs":           "",
				"system.slice/cgroup.subtree_control":               "cpu memory pids",
				"system.slice/warren.service/cgroup.controllers":    "cpu memory pids",
			},
		},
		{
			name:   "pids and memory",
			memory: true,
			enable: "+pids +memory",
			files: map[string]string{
				service + "/cgroup.subtree_control":                 "memory pids",
				service + "/warren-sessions/cgroup.subtree_control": "memory pids",
				service + "/warren-server/memory.max":               "max",
				service + "/warren-server/cgroup.procs":             "100\n101",
				service + "/cgroup.procs":                           "",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := serviceKernel(t)
			tr := openFake(t, k, "/"+service, tc.memory)
			checkCalls(t, k, []string{
				"mkdir " + service + "/warren-server",
				"write " + service + "/warren-server/cgroup.procs 100",
				"write " + service + "/warren-server/cgroup.procs 101",
				"write " + service + "/cgroup.subtree_control " + tc.enable,
				"mkdir " + service + "/warren-sessions",
				"write " + service + "/warren-sessions/cgroup.subtree_control " + tc.enable,
			})
			checkFiles(t, k, tc.files)
			if got, want := tr.Dir(), filepath.Join(k.root, service, "warren-sessions"); got != want {
				t.Errorf("Dir() = %q; want %q", got, want)
			}
		})
	}
}

// In a container with its own cgroup namespace the server's cgroup is "/",
// the namespace root: not the hierarchy's root (it has cgroup.type), so the
// no-internal-processes rule holds and every process in it, init
// included, moves to the leaf.
func TestOpenNamespaceRoot(t *testing.T) {
	k := newFakeKernel(t, []string{"cpu", "memory", "pids"}, map[string][]int{".": {1, 7, 8}})
	k.put("cgroup.type", "domain")
	k.put("cgroup.subtree_control", "")
	openFake(t, k, "/", false)
	checkCalls(t, k, []string{
		"mkdir warren-server",
		"write warren-server/cgroup.procs 1",
		"write warren-server/cgroup.procs 7",
		"write warren-server/cgroup.procs 8",
		"write cgroup.subtree_control +pids",
		"mkdir warren-sessions",
		"write warren-sessions/cgroup.subtree_control +pids",
	})
	checkFiles(t, k, map[string]string{
		"cgroup.procs":                           "",
		"warren-server/cgroup.procs":             "1\n7\n8",
		"cgroup.subtree_control":                 "pids",
		"warren-sessions/cgroup.subtree_control": "pids",
	})
}

// The hierarchy's real root may hold processes next to enabled
// controllers: nothing moves.
func TestOpenRealRoot(t *testing.T) {
	k := newFakeKernel(t, []string{"memory", "pids"}, map[string][]int{".": {1, 2}})
	k.put("cgroup.subtree_control", "")
	openFake(t, k, "/", true)
	checkCalls(t, k, []string{
		"write cgroup.subtree_control +pids +memory",
		"mkdir warren-sessions",
		"write warren-sessions/cgroup.subtree_control +pids +memory",
	})
	checkFiles(t, k, map[string]string{
		"cgroup.procs":           "1\n2",
		"warren-server":          "<missing>",
		"cgroup.subtree_control": "memory pids",
	})
}

// A restarted server finds itself in warren-server and reuses the tree,
// login cgroups and limits included.
func TestOpenRestart(t *testing.T) {
	k := serviceKernel(t)
	tr := openFake(t, k, "/"+service, false)
	f, err := tr.Login("alice", Limits{Pids: 64})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	f.Close()
	before := len(k.calls())

	tr2 := openFake(t, k, "/"+service+"/warren-server", false)
	checkCalls(t, k, append(k.calls()[:before:before], "mkdir "+service+"/warren-sessions"))
	if tr2.Dir() != tr.Dir() {
		t.Errorf("Dir() after restart = %q; want %q", tr2.Dir(), tr.Dir())
	}
	checkFiles(t, k, map[string]string{service + "/warren-sessions/alice/pids.max": "64"})
}

// A process that joins the cgroup between the move and the enable makes the
// kernel answer EBUSY; Open moves it too and tries again.
func TestOpenProcessArrives(t *testing.T) {
	k := serviceKernel(t)
	arrivals := 1
	k.beforeWrite = func(rel, _ string) {
		if rel == service+"/cgroup.subtree_control" && arrivals > 0 {
			arrivals--
			k.put(service+"/cgroup.procs", "555\n")
		}
	}
	openFake(t, k, "/"+service, false)
	checkCalls(t, k, []string{
		"mkdir " + service + "/warren-server",
		"write " + service + "/warren-server/cgroup.procs 100",
		"write " + service + "/warren-server/cgroup.procs 101",
		"write " + service + "/cgroup.subtree_control +pids",
		"mkdir " + service + "/warren-server",
		"write " + service + "/warren-server/cgroup.procs 555",
		"write " + service + "/cgroup.subtree_control +pids",
		"mkdir " + service + "/warren-sessions",
		"write " + service + "/warren-sessions/cgroup.subtree_control +pids",
	})
	checkFiles(t, k, map[string]string{service + "/warren-server/cgroup.procs": "100\n101\n555"})
}

func TestOpenProcessesKeepArriving(t *testing.T) {
	k := serviceKernel(t)
	next := 1000
	k.beforeWrite = func(rel, _ string) {
		if rel == service+"/cgroup.subtree_control" {
			next++
			k.put(service+"/cgroup.procs", fmt.Sprintf("%d\n", next))
		}
	}
	_, err := open(Options{Root: k.root, Self: "/" + service}, host{}, k)
	if !errors.Is(err, unix.EBUSY) {
		t.Fatalf("open: %v; want EBUSY", err)
	}
	n := 0
	for _, c := range k.calls() {
		if strings.HasPrefix(c, "write "+service+"/cgroup.subtree_control") {
			n++
		}
	}
	if n != maxMoveAttempts {
		t.Errorf("%d enable attempts; want %d", n, maxMoveAttempts)
	}
}

func TestOpenControllerMissing(t *testing.T) {
	hybrid := host{
		cgroups: parseProcCgroup([]byte("8:pids:/\n4:memory:/x\n0::/" + service + "\n")),
		mounts: parseMountinfo([]byte(
			"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n" +
				"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")),
	}
	pure := host{cgroups: parseProcCgroup([]byte("0::/" + service + "\n"))}
	for _, tc := range []struct {
		name        string
		controllers []string
		memory      bool
		h           host
		want        []string // substrings of the error
	}{
		{
			name:        "pids, unknown host",
			controllers: []string{"cpu", "memory"},
			want:        []string{`"pids" is not in`, "cgroup.controllers", `it lists "cpu memory"`, "bound to a cgroup v1 hierarchy", "not delegated"},
		},
		{
			name:        "memory wanted, unknown host",
			controllers: []string{"pids"},
			memory:      true,
			want:        []string{`"memory" is not in`, `it lists "pids"`, "cgroup v1"},
		},
		{
			name:        "both on a hybrid host",
			controllers: []string{"hugetlb"},
			memory:      true,
			h:           hybrid,
			want: []string{
				`"pids" is not in`, "bound to the cgroup v1 hierarchy mounted at /sys/fs/cgroup/pids",
				`"memory" is not in`, "bound to the cgroup v1 hierarchy 4 ",
			},
		},
		{
			name:        "not delegated",
			controllers: []string{"cpu"},
			h:           pure,
			want:        []string{`"pids" is not in`, "parent cgroup does not delegate it"},
		},
		{
			name:        "empty",
			controllers: nil,
			want:        []string{`"pids" is not in`, "it is empty"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newFakeKernel(t, tc.controllers, map[string][]int{"system.slice": nil, service: {100}})
			_, err := open(Options{Root: k.root, Self: service, Memory: tc.memory}, tc.h, k)
			if !errors.Is(err, ErrControllerMissing) {
				t.Fatalf("open: %v; want ErrControllerMissing", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q; want it to contain %q", err, w)
				}
			}
			checkCalls(t, k, nil)
			checkFiles(t, k, map[string]string{service + "/cgroup.procs": "100"})
		})
	}
}

func TestOpenMemoryNotWanted(t *testing.T) {
	k := newFakeKernel(t, []string{"pids"}, map[string][]int{"system.slice": nil, service: {100}})
	openFake(t, k, service, false)
}

func TestOpenNotWritable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(k *fakeKernel)
		path  string
		errno error
		want  string
	}{
		{name: "read-only mount", path: service, errno: unix.EROFS, want: "read-only mount"},
		{name: "subtree_control", path: service + "/cgroup.subtree_control", errno: unix.EACCES, want: "permission denied"},
		{name: "procs", path: service + "/cgroup.procs", errno: unix.EPERM, want: "permission denied"},
		{
			name:  "existing sessions",
			setup: func(k *fakeKernel) { k.Mkdir(filepath.Join(k.root, service, SessionsName)) },
			path:  service + "/warren-sessions/cgroup.subtree_control",
			errno: unix.EACCES,
			want:  "permission denied",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := serviceKernel(t)
			if tc.setup != nil {
				tc.setup(k)
			}
			before := k.calls()
			k.denied[tc.path] = tc.errno
			_, err := open(Options{Root: k.root, Self: service}, host{}, k)
			if !errors.Is(err, ErrNotWritable) || !errors.Is(err, tc.errno) {
				t.Fatalf("open: %v; want ErrNotWritable and %v", err, tc.errno)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q; want it to contain %q", err, tc.want)
			}
			checkCalls(t, k, before)
		})
	}
}

// A write refused after the checks (here: nsdelegate-like EPERM on the
// enable) still reports ErrNotWritable.
func TestOpenEnableRefused(t *testing.T) {
	k := serviceKernel(t)
	k.put(service+"/cgroup.controllers", "cpu memory pids")
	k.beforeWrite = func(rel, _ string) {
		if rel == service+"/cgroup.subtree_control" {
			os.Remove(filepath.Join(k.root, rel))
		}
	}
	_, err := open(Options{Root: k.root, Self: service}, host{}, k)
	if err == nil || !strings.Contains(err.Error(), "enable controllers") {
		t.Fatalf("open: %v; want an enable controllers error", err)
	}
}

func TestOpenNoCgroup2(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  func(root string) Options
		setup func(k *fakeKernel)
		h     host
		want  string
	}{
		{
			name: "no cgroup.controllers",
			opts: func(root string) Options { return Options{Root: root, Self: service} },
			setup: func(k *fakeKernel) {
				os.Remove(filepath.Join(k.root, service, "cgroup.controllers"))
			},
			want: "not a cgroup v2 hierarchy",
		},
		{
			name:  "threaded",
			opts:  func(root string) Options { return Options{Root: root, Self: service} },
			setup: func(k *fakeKernel) { k.put(service+"/cgroup.type", "threaded") },
			want:  `is a "threaded" cgroup`,
		},
		{
			name: "outside the namespace",
			opts: func(root string) Options { return Options{Root: root} },
			h:    host{cgroups: parseProcCgroup([]byte("0::/../../x\n"))},
			want: "outside its cgroup namespace",
		},
		{
			name: "no 0:: line",
			opts: func(root string) Options { return Options{Root: root} },
			h:    host{cgroups: parseProcCgroup([]byte("3:pids:/\n"))},
			want: `no cgroup v2 ("0::") line`,
		},
		{
			name: "no cgroup2 mount",
			opts: func(string) Options { return Options{} },
			h: host{
				cgroups: parseProcCgroup([]byte("0::/\n")),
				mounts:  parseMountinfo([]byte("38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n")),
			},
			want: "no cgroup2 filesystem",
		},
		{
			name: "no cgroup2 mount holds it",
			opts: func(string) Options { return Options{} },
			h: host{
				cgroups: parseProcCgroup([]byte("0::/a\n")),
				mounts:  parseMountinfo([]byte("40 30 0:37 /b /mnt rw - cgroup2 cgroup2 rw\n")),
			},
			want: "no cgroup2 mount holds the server's cgroup /a",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := serviceKernel(t)
			if tc.setup != nil {
				tc.setup(k)
			}
			_, err := open(tc.opts(k.root), tc.h, k)
			if !errors.Is(err, ErrNoCgroup2) {
				t.Fatalf("open: %v; want ErrNoCgroup2", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q; want it to contain %q", err, tc.want)
			}
			checkCalls(t, k, nil)
		})
	}
}

func TestLocate(t *testing.T) {
	mounts := parseMountinfo([]byte(
		"31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n" +
			"40 30 0:37 /docker/abc /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n" +
			"41 30 0:37 / /host/cgroup rw - cgroup2 cgroup2 rw\n"))
	for _, tc := range []struct {
		name       string
		opts       Options
		procCgroup string
		root, self string
	}{
		{name: "mount root strip", procCgroup: "0::/docker/abc/x\n", root: "/sys/fs/cgroup", self: "/x"},
		{name: "mount root itself", procCgroup: "0::/docker/abc\n", root: "/sys/fs/cgroup", self: "/"},
		{name: "sibling prefix is not inside", procCgroup: "0::/docker/abcd\n", root: "/host/cgroup", self: "/docker/abcd"},
		{name: "root given", opts: Options{Root: "/r"}, procCgroup: "0::/a/b/\n", root: "/r", self: "/a/b"},
		{name: "self given", opts: Options{Self: "a//b"}, root: "/sys/fs/cgroup", self: "/a/b"},
		{name: "both given", opts: Options{Root: "/r", Self: "/"}, root: "/r", self: "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := host{cgroups: parseProcCgroup([]byte(tc.procCgroup)), mounts: mounts}
			root, self, err := locate(tc.opts, h)
			if err != nil {
				t.Fatalf("locate: %v", err)
			}
			if root != tc.root || self != tc.self {
				t.Errorf("locate = %q, %q; want %q, %q", root, self, tc.root, tc.self)
			}
		})
	}
}
