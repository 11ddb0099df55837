package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
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
}

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
	m.registry.MustRegister(m.connections, m.admission, m.logins, m.commands, m.live,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
