package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/warren-ssh/warren/internal/commands"
)

// metrics are the server's Prometheus series, on a registry of its own so
// tests can run several servers in one process.
type metrics struct {
	registry *prometheus.Registry

	connections *prometheus.CounterVec // by outcome: accepted, refused
	admission   *prometheus.CounterVec // pre-auth refusals by reason
	logins      *prometheus.CounterVec // by result and reason
	commands    *prometheus.CounterVec // SSH commands by name and exit code
	live        prometheus.GaugeFunc
	fetches     *prometheus.HistogramVec // GitHub key fetches by outcome
	bytes       *prometheus.CounterVec   // session bytes by direction
	flushes     *prometheus.HistogramVec // history flushes by outcome
	took        *prometheus.HistogramVec // SSH commands by name: how long they ran
	listings    prometheus.Histogram     // listings of a login's workspaces (ls, picker, sessions)

	quotaMeasures prometheus.Counter // disk usage measurements of a login (--disk-quota)
	quotaRefusals prometheus.Counter // session starts refused for the disk quota
}

// latencyBuckets are the buckets of request latencies, in seconds: fine
// below 50 ms, the time ls and a picker refresh must stay under.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}

func newMetrics(liveCount func() float64) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		connections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warren_ssh_connections_total",
			Help: "TCP connections by what became of them before authentication.",
		}, []string{"outcome"}),
		admission: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warren_ssh_admission_refused_total",
			Help: "Connections refused before authentication, by reason.",
		}, []string{"reason"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warren_auth_logins_total",
			Help: "Login attempts by result and reason.",
		}, []string{"result", "reason"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warren_ssh_commands_total",
			Help: "SSH commands run, by command and exit code.",
		}, []string{"command", "code"}),
	}
	m.live = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "warren_ssh_connections_live",
		Help: "Authenticated connections open now.",
	}, liveCount)
	m.fetches = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "warren_github_key_fetch_seconds",
		Help:    "GitHub key fetches by outcome, and how long they took.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"outcome"})
	m.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warren_session_bytes_total",
		Help: "Bytes between clients' terminals and warren: in is typed (into the picker or a session), out is what sessions showed.",
	}, []string{"direction"})
	m.flushes = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "warren_history_flush_seconds",
		Help:    "History flushes to disk (write and fdatasync) by outcome, and how long they took.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5},
	}, []string{"outcome"})
	m.took = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "warren_ssh_command_duration_seconds",
		Help:    "SSH commands by command, and how long the server took to run them (attach: the whole attachment).",
		Buckets: latencyBuckets,
	}, []string{"command"})
	m.listings = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "warren_workspace_list_seconds",
		Help:    "Listings of a login's workspaces with their sessions and git state (ls, each picker refresh, sessions), and how long they took.",
		Buckets: latencyBuckets,
	})
	m.quotaMeasures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "warren_quota_measurements_total",
		Help: "Measurements of one login's disk usage (--disk-quota).",
	})
	m.quotaRefusals = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "warren_quota_refusals_total",
		Help: "Session starts refused because the login was over its disk quota.",
	})
	m.registry.MustRegister(m.quotaMeasures, m.quotaRefusals)
	m.registry.MustRegister(m.connections, m.admission, m.logins, m.commands, m.live, m.fetches, m.bytes, m.flushes, m.took, m.listings,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// sessionCollector reports the sessions by state at each scrape.
type sessionCollector struct {
	s    *Server
	desc *prometheus.Desc
}

func newSessionCollector(s *Server) *sessionCollector {
	return &sessionCollector{s: s, desc: prometheus.NewDesc("warren_sessions",
		"Sessions by state, as ls shows them: running (attached), detached, restored, exited, stopped, failed.", []string{"state"}, nil)}
}

func (c *sessionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sessionCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[string]int{}
	for _, st := range []string{commands.StateRunning, commands.StateDetached, commands.StateRestored,
		commands.StateExited, commands.StateStopped, commands.StateFailed} {
		counts[st] = 0
	}
	for _, si := range c.s.sessions.List("") {
		if state, _ := c.s.stateOf(si); state != "" {
			counts[state]++
		}
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}
