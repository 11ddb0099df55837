package main

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/warren-ssh/warren/internal/config"
	"github.com/warren-ssh/warren/internal/isolation"
)

// No Docker engine runs where warren is built and tested, so these tests
// check what the image and the compose file rely on: every WARREN_* name
// they set is a real flag's twin, and the hardening the README promises is
// in the files.

var warrenVar = regexp.MustCompile(`\bWARREN_[A-Z_]+\b`)

func knownEnvNames() []string {
	var names []string
	for _, f := range config.FlagNames() {
		names = append(names, config.EnvName(f))
	}
	return names
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, name := range warrenVar.FindAllString(text, -1) {
		if !slices.Contains(knownEnvNames(), name) {
			t.Errorf("Dockerfile sets %s, which is no flag's twin", name)
		}
	}
	var instructions []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			instructions = append(instructions, line)
		}
	}
	want := []*regexp.Regexp{
		regexp.MustCompile(`^FROM golang:\S+ AS build$`),
		regexp.MustCompile(`CGO_ENABLED=1 go build .* -o /out/ \./cmd/warren \./cmd/warren-session-exec$`),
		regexp.MustCompile(`^COPY --from=build /out/warren /out/warren-session-exec /usr/local/bin/$`),
		regexp.MustCompile(`^ARG CLAUDE_CODE_VERSION=\d+\.\d+\.\d+$`),
		regexp.MustCompile(`npm install -g .*"@anthropic-ai/claude-code@\$\{CLAUDE_CODE_VERSION\}"`),
		regexp.MustCompile(`apt-get install .*ca-certificates git openssh-client tini bubblewrap`),
		regexp.MustCompile(`^COPY --from=claude \S+/claude-code/bin/claude\.exe /usr/local/bin/claude$`),
		regexp.MustCompile(`chmod 0711 /data`),
		regexp.MustCompile(`chmod 0700 /hostkeys`),
		// --host-keys defaults to <data>/hostkeys: the image names its volume.
		regexp.MustCompile(`^WARREN_HOST_KEYS=/hostkeys\b`),
		// /healthz and /metrics on a socket only the server (and the
		// HEALTHCHECK, which reads WARREN_HTTP) can reach, not the sessions.
		regexp.MustCompile(`^WARREN_HTTP=unix:/data/run/http\.sock\b`),
		regexp.MustCompile(`^VOLUME \["/data", "/hostkeys"\]$`),
		regexp.MustCompile(`^EXPOSE 2222$`),
		regexp.MustCompile(`^STOPSIGNAL SIGTERM$`),
		regexp.MustCompile(`^HEALTHCHECK .*CMD \["warren", "healthcheck"\]$`),
		regexp.MustCompile(`^ENTRYPOINT \["/usr/bin/tini", "--", "warren"\]$`),
		regexp.MustCompile(`DISABLE_AUTOUPDATER=1`),
	}
	for _, re := range want {
		if !slices.ContainsFunc(instructions, re.MatchString) {
			t.Errorf("Dockerfile has no instruction matching %s", re)
		}
	}
	// Isolated mode needs the server to keep the capabilities to switch
	// uids; a USER line would silently lose them (and warren refuse to
	// start with an allowlist).
	if slices.ContainsFunc(instructions, func(l string) bool { return strings.HasPrefix(l, "USER ") }) {
		t.Errorf("Dockerfile drops root with USER: sessions could not run as their login's uid")
	}
	if secret := regexp.MustCompile(`(?i)(ANTHROPIC_API_KEY|TOKEN|PASSWORD)=\S`); secret.MatchString(text) {
		t.Errorf("Dockerfile bakes a secret: %q", secret.FindString(text))
	}
}

type composeFile struct {
	Services map[string]struct {
		Ports           []string          `yaml:"ports"`
		Environment     map[string]string `yaml:"environment"`
		Volumes         []string          `yaml:"volumes"`
		Restart         string            `yaml:"restart"`
		StopGracePeriod string            `yaml:"stop_grace_period"`
		ReadOnly        bool              `yaml:"read_only"`
		Tmpfs           []string          `yaml:"tmpfs"`
		CapDrop         []string          `yaml:"cap_drop"`
		CapAdd          []string          `yaml:"cap_add"`
		SecurityOpt     []string          `yaml:"security_opt"`
		MemLimit        string            `yaml:"mem_limit"`
		PidsLimit       int               `yaml:"pids_limit"`
		Healthcheck     struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestCompose(t *testing.T) {
	data, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	svc, ok := c.Services["warren"]
	if !ok {
		t.Fatalf("compose.yaml has no warren service")
	}
	for name := range svc.Environment {
		if strings.HasPrefix(name, "WARREN_") && !slices.Contains(knownEnvNames(), name) {
			t.Errorf("compose.yaml sets %s, which is no flag's twin", name)
		}
	}
	if _, ok := svc.Environment["ANTHROPIC_API_KEY"]; !ok {
		t.Errorf("compose.yaml does not pass ANTHROPIC_API_KEY from the host")
	}
	grace, err := time.ParseDuration(svc.StopGracePeriod)
	if err != nil || grace <= config.Default().StopGrace {
		t.Errorf("stop_grace_period %q must be longer than warren's own --stop-grace (%s)", svc.StopGracePeriod, config.Default().StopGrace)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"port 2222", slices.Contains(svc.Ports, "2222:2222")},
		{"restart unless-stopped", svc.Restart == "unless-stopped"},
		{"read-only root", svc.ReadOnly},
		{"tmpfs /tmp", slices.Contains(svc.Tmpfs, "/tmp")},
		{"cap_drop ALL", slices.Contains(svc.CapDrop, "ALL")},
		{"cap_add of exactly the capabilities isolated mode needs", sameCaps(svc.CapAdd, isolation.RequiredCapabilities())},
		{"no-new-privileges", slices.Contains(svc.SecurityOpt, "no-new-privileges:true")},
		{"memory limit", svc.MemLimit != ""},
		{"pids limit", svc.PidsLimit > 0},
		{"healthcheck", slices.Equal(svc.Healthcheck.Test, []string{"CMD", "warren", "healthcheck"})},
		{"data volume", slices.Contains(svc.Volumes, "warren-data:/data") && c.Volumes["warren-data"] == nil && hasKey(c.Volumes, "warren-data")},
		{"host key volume", slices.Contains(svc.Volumes, "warren-hostkeys:/hostkeys") && hasKey(c.Volumes, "warren-hostkeys")},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("compose.yaml: %s is missing", ch.name)
		}
	}
}

// sameCaps reports whether compose's cap_add (SETUID, ...) names exactly
// the capabilities in want (CAP_SETUID, ...), in any order.
func sameCaps(capAdd, want []string) bool {
	var got []string
	for _, c := range capAdd {
		got = append(got, "CAP_"+c)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	return slices.Equal(got, want)
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}
