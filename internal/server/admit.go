package server

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"charm.land/ssh"
	"github.com/prometheus/client_golang/prometheus"
	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/admission"
	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/store"
)

// admit is the connection callback: it runs before a single SSH byte is
// read and applies the pre-authentication caps and penalties. Returning nil
// drops the connection.
func (s *Server) admit(ctx ssh.Context, conn net.Conn) net.Conn {
	ticket, err := s.gate.Admit(conn.RemoteAddr())
	if err != nil {
		reason := "other"
		switch {
		case errors.Is(err, admission.ErrPenalized):
			reason = "penalized"
		case errors.Is(err, admission.ErrProbation):
			reason = "probation"
		case errors.Is(err, admission.ErrSourceBusy):
			reason = "per_source"
		case errors.Is(err, admission.ErrTooManyStartups):
			reason = "max_startups"
		}
		s.metrics.admission.WithLabelValues(reason).Inc()
		s.logger.Debug("connection refused before authentication", "remote", conn.RemoteAddr().String(), "reason", err)
		return nil
	}
	tc := &trackedConn{Conn: conn, ticket: ticket, ctx: ctx, onClose: s.connClosed}
	ctx.SetValue(connKey{}, tc)
	return tc
}

// connClosed records a connection that never authenticated.
func (s *Server) connClosed(tc *trackedConn) {
	s.live.unregister(tc)
	// The labels say how the connection ended, not what its source was
	// charged: an idle connection the grace time closed is grace_exceeded
	// here and silent in warren_ssh_penalties_total.
	switch outcome := tc.outcome(); {
	case outcome == admission.OutcomeOK:
		s.metrics.connections.WithLabelValues("authenticated").Inc()
		return
	case tc.timedOut():
		s.metrics.connections.WithLabelValues("grace_exceeded").Inc()
	case outcome == admission.OutcomeNoAuth || outcome == admission.OutcomeSilent:
		s.metrics.connections.WithLabelValues("no_auth").Inc()
	}
	fp, attempted := tc.refusal()
	if !attempted {
		return
	}
	s.metrics.connections.WithLabelValues("refused").Inc()
	user := tc.ctx.User()
	reason, holder := tc.refusedReason(), ""
	if reason == "" {
		reason, holder = s.refusalReason(user, fp)
	}
	s.metrics.logins.WithLabelValues("refused", reason).Inc()
	detail, logArgs := reason, []any{"login", printable(user), "remote", tc.RemoteAddr().String(), "fingerprint", fp, "reason", reason}
	if reason == reasonKeyConflict {
		detail, logArgs = reason+": held by "+holder, append(logArgs, "holder", holder)
	}
	s.logger.Info("login refused", logArgs...)
	_ = s.audit.AddEvent(tc.ctx, store.Event{
		Kind: eventLoginRefused, Login: printable(user), Remote: tc.RemoteAddr().String(),
		Fingerprint: fp, Detail: detail,
	})
}

// reasonKeyConflict is the refusal reason of a key the login lists but
// another login holds (or several listed at once).
const reasonKeyConflict = "key_conflict"

// keyConflict reports whether login lists the key with fingerprint fp and
// is refused for it, and who holds it ("none" while nobody does).
func (s *Server) keyConflict(login, fp string) (holder string, ok bool) {
	c, ok := s.auth.ConflictOf(login, fp)
	if !ok {
		return "", false
	}
	if c.Holder == "" {
		return "none", true
	}
	return c.Holder, true
}

// refusalReason explains, for the log and audit only, why login got no
// session with the key of fingerprint fp (the last one offered); for a key
// another login holds, it names the holder too. The client is told nothing
// more than "permission denied".
func (s *Server) refusalReason(user, fp string) (reason, holder string) {
	login, err := auth.NormalizeLogin(user)
	switch {
	case err != nil:
		return "invalid_login", ""
	case !s.allowed(login):
		return "not_allowlisted", ""
	}
	if holder, ok := s.keyConflict(login, fp); ok {
		return reasonKeyConflict, holder
	}
	return s.keyRefusal(login), ""
}

// keyRefusal is refusalReason for an allowlisted login whose key is no
// conflict.
func (s *Server) keyRefusal(login string) string {
	if _, suspended := s.auth.Suspended(login); suspended {
		return "keys_suspended" // GitHub said 404, or replaced every key
	}
	if keys, _ := s.auth.Keys(login); len(keys) == 0 {
		return "no_keys" // never fetched, or GitHub unreachable on first contact
	}
	return "key_not_recognised"
}

func (s *Server) allowed(login string) bool {
	_, ok := s.auth.Lookup(login)
	return ok
}

// connectionFailed logs handshakes that failed for reasons other than
// authentication (those are logged by connClosed).
func (s *Server) connectionFailed(conn net.Conn, err error) {
	var authErr *gossh.ServerAuthError
	if errors.As(err, &authErr) {
		return
	}
	s.logger.Debug("handshake failed", "remote", conn.RemoteAddr().String(), "err", err)
}

// printable quotes hostile input for logs: control bytes escaped, length capped.
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	q := []rune{}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			q = append(q, '?')
			continue
		}
		q = append(q, r)
	}
	return strings.ToValidUTF8(string(q), "?")
}

// admissionCollector reports, at each scrape, the penalties the admission
// gate charged, the sources it penalises now by stage, and how the
// connections it admitted on probation ended.
type admissionCollector struct {
	gate      *admission.Gate
	charged   *prometheus.Desc
	penalized *prometheus.Desc
	probation *prometheus.Desc
}

func newAdmissionCollector(g *admission.Gate) *admissionCollector {
	return &admissionCollector{
		gate: g,
		charged: prometheus.NewDesc("warren_ssh_penalties_total",
			"Unauthenticated connections whose end added to their source's penalty, by outcome (authfail, noauth, silent, grace_exceeded).",
			[]string{"outcome"}, nil),
		penalized: prometheus.NewDesc("warren_ssh_penalized_sources",
			"Source addresses with an active penalty, by stage: door (refused before a byte is read) or probation (admitted to authenticate, rate-limited).",
			[]string{"stage"}, nil),
		probation: prometheus.NewDesc("warren_ssh_probation_connections_total",
			"Connections admitted while their source was on probation, by how they ended (authenticated, authfail, noauth, silent, grace_exceeded, refused).",
			[]string{"outcome"}, nil),
	}
}

func (c *admissionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.charged
	ch <- c.penalized
	ch <- c.probation
}

func (c *admissionCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.gate.Stats()
	for outcome, n := range map[string]uint64{
		"authfail":       st.Charged.AuthFail,
		"noauth":         st.Charged.NoAuth,
		"silent":         st.Charged.Silent,
		"grace_exceeded": st.Charged.GraceExceeded,
	} {
		ch <- prometheus.MustNewConstMetric(c.charged, prometheus.CounterValue, float64(n), outcome)
	}
	ch <- prometheus.MustNewConstMetric(c.penalized, prometheus.GaugeValue, float64(st.Door), "door")
	ch <- prometheus.MustNewConstMetric(c.penalized, prometheus.GaugeValue, float64(st.Probation), "probation")
	for outcome, n := range map[string]uint64{
		"authenticated":  st.OnProbation.OK,
		"authfail":       st.OnProbation.AuthFail,
		"noauth":         st.OnProbation.NoAuth,
		"silent":         st.OnProbation.Silent,
		"grace_exceeded": st.OnProbation.GraceExceeded,
		"refused":        st.OnProbation.Refused,
	} {
		ch <- prometheus.MustNewConstMetric(c.probation, prometheus.CounterValue, float64(n), outcome)
	}
}

// logTrusted says once, at start, which source ranges the penalties and
// the per-source cap leave alone.
func logTrusted(logger *slog.Logger, nets []netip.Prefix) {
	if len(nets) == 0 {
		return
	}
	names := make([]string, len(nets))
	for i, p := range nets {
		names[i] = p.String()
	}
	logger.Info("trusted sources: exempt from the penalties and the per-source cap, not from --max-startups",
		"sources", strings.Join(names, ","))
}
