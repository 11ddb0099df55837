package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"syscall"
	"time"
)

// options are the command line. Zero sizes take the -quick or full default.
type options struct {
	Quick       bool   `json:"quick"`
	JSONPath    string `json:"-"`
	Warren      string `json:"-"`
	Keep        bool   `json:"-"`
	Connects    int    `json:"connects"`
	Echoes      int    `json:"echoes"`
	FloodMiB    int    `json:"throughput_mib"`
	FloodReps   int    `json:"throughput_reps"`
	Reattaches  int    `json:"reattaches"`
	Idle        int    `json:"idle_sessions"`
	KillTrials  int    `json:"kill_trials"`
	ReattachMiB int    `json:"reattach_mib"`
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("warren-bench", flag.ContinueOnError)
	fs.BoolVar(&o.Quick, "quick", false, "small sizes: a run of under a minute after the build")
	fs.StringVar(&o.JSONPath, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.Warren, "warren", "", "warren binary to measure (default: go build ./cmd/warren)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (logs, data, configs)")
	fs.IntVar(&o.Connects, "connects", 0, "sequential logins per server (quick 10, full 50)")
	fs.IntVar(&o.Echoes, "echoes", 0, "echoed bytes per session (quick 200, full 2000)")
	fs.IntVar(&o.FloodMiB, "throughput-mib", 0, "MiB per throughput burst (quick 20, full 200)")
	fs.IntVar(&o.Reattaches, "reattaches", 0, "reattaches per server (quick 5, full 20)")
	fs.IntVar(&o.Idle, "idle", 0, "concurrent idle sessions per server (quick 50, full 1000)")
	fs.IntVar(&o.KillTrials, "kill-trials", 0, "SIGKILL trials for history durability (quick 1, full 3)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	def := func(v *int, quick, full int) {
		if *v <= 0 {
			*v = full
			if o.Quick {
				*v = quick
			}
		}
	}
	def(&o.Connects, 10, 50)
	def(&o.Echoes, 200, 2000)
	def(&o.FloodMiB, 20, 200)
	def(&o.FloodReps, 2, 3)
	def(&o.Reattaches, 5, 20)
	def(&o.Idle, 50, 1000)
	def(&o.KillTrials, 1, 3)
	o.ReattachMiB = 4
	return o, nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("warren-bench: ")
	if len(os.Args) > 1 && os.Args[1] == "helper" {
		if err := runHelper(os.Args[2:]); err != nil {
			log.Fatal(err)
		}
		return
	}
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// run sets up both servers, runs every phase, prints the table and tears
// everything down. A phase that fails leaves its rows empty and makes run
// fail at the end; the other phases still run.
func run(ctx context.Context, o options) error {
	if err := checkSSHD(); err != nil {
		return err
	}
	if err := raiseFileLimit(uint64(8*o.Idle + 1024)); err != nil {
		return err
	}
	if err := checkPTYs(o.Idle); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "warren-bench-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	// Run as root, warren runs sessions as the bench login's own uid, which
	// must pass through to the data dir and run the helper.
	if err := os.Chmod(dir, 0o711); err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	keep := o.Keep
	defer func() {
		if keep {
			log.Printf("kept %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	}()
	b, err := setup(ctx, o, dir)
	if b != nil {
		defer b.teardown()
	}
	if err != nil {
		keep = true
		return err
	}
	failed := b.runPhases(ctx)
	b.stopMain()
	if ctx.Err() == nil {
		failed = b.phase("durability", b.durability) || failed
	}
	fmt.Printf("\nwarren vs OpenSSH sshd + tmux %s, loopback, %s\n\n", tmuxVersion(), time.Now().Format(time.DateTime))
	if err := writeTable(os.Stdout, b.rows); err != nil {
		return fmt.Errorf("print table: %w", err)
	}
	for _, n := range b.notes {
		fmt.Println("  " + n)
	}
	if o.JSONPath != "" {
		if err := writeJSONFile(o.JSONPath, o, b.rows); err != nil {
			return err
		}
	}
	if failed || ctx.Err() != nil {
		keep = true
		return errors.New("some phases failed; their logs are kept")
	}
	return nil
}

func writeJSONFile(path string, o options, rows []row) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if err := writeJSON(f, o, rows); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// setup builds and starts both servers. The returned bench, when not nil,
// must be torn down even if err is set.
func setup(ctx context.Context, o options, dir string) (*bench, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own binary: %w", err)
	}
	// A copy others may run: `go run` leaves the binary in a 0700 cache.
	helper := filepath.Join(dir, "warren-bench")
	if err := copyFile(self, helper, 0o755); err != nil {
		return nil, fmt.Errorf("copy own binary: %w", err)
	}
	me, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("current user: %w", err)
	}
	signer, authLine, err := newUserKey(benchLogin)
	if err != nil {
		return nil, err
	}
	keysFile := filepath.Join(dir, "warren.keys")
	if err := os.WriteFile(keysFile, []byte(authLine), 0o600); err != nil {
		return nil, fmt.Errorf("write keys file: %w", err)
	}
	bin := o.Warren
	if bin == "" {
		log.Print("building warren")
		if bin, err = buildWarren(ctx, dir); err != nil {
			return nil, err
		}
	}
	tmux, err := newTmuxSide(dir, helper)
	if err != nil {
		return nil, err
	}
	b := &bench{opts: o, dir: dir, tmux: tmux, signer: signer,
		spec: warrenSpec{bin: bin, dir: dir, helper: helper, keysFile: keysFile, maxSessions: o.Idle}}
	b.spec.tag = "main"
	if b.warren, err = startWarren(b.spec); err != nil {
		return b, err
	}
	if b.sshd, err = startSSHD(dir, authLine); err != nil {
		return b, err
	}
	b.w = newEndpoint("warren", b.warren.addr, benchLogin, signer, b.warren.hostKey)
	b.s = newEndpoint("sshd", b.sshd.addr, me.Username, signer, b.sshd.hostKey)
	log.Printf("warren on %s (pid %d), sshd on %s (pid %d), files in %s",
		b.warren.addr, b.warren.pid(), b.sshd.addr, b.sshd.pid(), dir)
	return b, nil
}

// copyFile copies src to dst with mode perm.
func copyFile(src, dst string, perm os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(dst, b, perm); err != nil {
		return err
	}
	return os.Chmod(dst, perm)
}
