// Package admission owns pre-authentication admission control: which new
// TCP connections warren lets start an SSH handshake. It mirrors OpenSSH's
// MaxStartups (a global cap on unauthenticated connections with random early
// drop), PerSourceMaxStartups (a cap per source network: IPv4 /32, IPv6 /64)
// and PerSourcePenalties (a source that keeps failing authentication, never
// trying, or stalling past the grace time is refused for a while).
//
// An active penalty has two stages (see Penalties). In the door stage, its
// first FirstStage, the source is refused before a byte is read, the cheap
// defence against a flood. Then, on probation, its connections are admitted
// as far as authentication, under the same caps and deadline and a token
// bucket: a key that authenticates gets in; a connection that does not is
// refused as ever and adds to the penalty. The door cannot tell a teammate
// behind the same address from the one misbehaving, so probation is what
// keeps an address's penalty from locking its other users out for minutes,
// while the bucket holds a source that keeps failing to one handshake per
// ProbationInterval.
//
// The server calls Gate.Admit from charm ssh's connection callback, before
// any SSH byte is read; Admit never blocks. The returned Ticket holds one
// pre-auth slot until Ticket.Authenticated or Ticket.Close, and Close tells
// the gate how the connection ended so it can penalise the source.
// Gate.WrapConn does this wiring for a net.Conn.
//
// Options.Trusted is OpenSSH's PerSourcePenaltyExemptList, and also lifts
// the per-source cap (never the global one) for those ranges: a team behind
// one NAT address is many people on one source. A connection that proved a
// key but was refused by policy (OutcomeRefused) is never penalised.
//
// Differences from OpenSSH: when the penalty table is full, the entry whose
// penalty ends soonest is evicted (OpenSSH's default instead stops adding
// entries); there is no "crash" or "invaliduser" penalty (the server reports
// an unknown user as OutcomeAuthFail); the block sizes are fixed; OpenSSH
// refuses for the whole penalty, where probation here admits keys after the
// door stage; and a connection that never sent a byte is OutcomeSilent,
// charged as a noauth one even when the grace time closed it (OpenSSH charges
// it as grace-exceeded, so ten idle connections lock their address out for
// well over a minute).
//
// Package admission must not read SSH bytes, do I/O, sleep, or import other
// warren packages; all time comes from the injected clock.
package admission
