// Command warren-bench measures warren against OpenSSH sshd + tmux, the
// setup it replaces, with the same Go SSH client (golang.org/x/crypto/ssh,
// curve25519-sha256, aes128-gcm, ed25519 keys on both sides), on loopback.
//
// Run it from the repository root:
//
//	go run ./cmd/warren-bench -quick            # under a minute after the build
//	go run ./cmd/warren-bench -json bench.json  # the full run, under ten minutes
//
// It builds ./cmd/warren (or uses -warren PATH), starts it on 127.0.0.1 with a
// temporary data directory and offline keys (--keys-file, --allow bench), and
// starts /usr/sbin/sshd (Debian's openssh-server; it is never installed for
// you) on another loopback port with a throwaway sshd_config, pubkey only, as
// the current user. tmux runs under sshd on a private socket with an empty
// config plus status-interval 0 (no clock redraws).
//
// Every session on both sides runs this same binary in its "helper" mode
// (warren: --command "warren-bench helper", the mode taken from the
// workspace name; tmux: the mode on the command line), so the programs are
// identical: "echo" (raw-mode cat), "flood-N" (N bytes of base64 lines per
// trigger byte, then an end marker), "tick-MS" (a numbered, timestamped line
// every MS milliseconds) and anything else execs cat.
//
// Metrics, measured A B A B … so that drift on a shared machine cancels:
//
//   - connect: TCP dial to the first byte of output of an attach to an
//     existing session (warren: "attach bench" with a PTY; sshd: tmux
//     new-session -A), p50/p90/p99.
//   - echo: one byte at a time, each waiting for its echo through a raw-mode
//     cat, p50/p99; plain sshd with a PTY and no tmux is the floor.
//   - throughput: MiB/s of program output until the end marker is seen.
//   - reattach: a session that wrote 4 MiB (~54k lines) and whose client
//     vanished without detaching (TCP closed); time from the attach request,
//     and from the TCP dial, until the final marker is on screen again.
//   - idle memory: RSS (VmRSS of the server process only, children excluded)
//     per attached idle session, for warren and for the tmux server.
//   - history durability: a fresh warren is SIGKILLed while a session writes
//     timestamped lines; the valid records on disk are compared with the last
//     line the client saw, as seconds of output lost.
//
// The table shows medians (and p90/p99 where named), the warren/tmux ratio,
// and whether each target is met. Targets are reported, never enforced: the
// exit status is non-zero only when the benchmark itself fails.
package main
