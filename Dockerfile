# syntax=docker/dockerfile:1
# warren: persistent Claude Code sessions over SSH.
#
#   docker build -t warren .
#   docker run -p 2222:2222 -e WARREN_ALLOW=yourlogin -v warren-data:/data -v warren-hostkeys:/hostkeys \
#     --cap-drop ALL --cap-add SETUID --cap-add SETGID --cap-add CHOWN --cap-add FOWNER \
#     --cap-add KILL --cap-add DAC_OVERRIDE --security-opt no-new-privileges warren
#
# warren runs as root in the container with only those capabilities: it
# needs them to run each login's sessions as that login's own uid
# (isolated mode, uids 20000-29999). Without them it refuses to start.

ARG GO_VERSION=1.26
ARG NODE_VERSION=20
ARG DEBIAN_VERSION=bookworm

# Build warren with cgo (mattn/go-sqlite3).
FROM golang:${GO_VERSION}-${DEBIAN_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ ./cmd/warren ./cmd/warren-session-exec

# Install the Claude CLI from npm, pinned.
FROM node:${NODE_VERSION}-${DEBIAN_VERSION}-slim AS claude
ARG CLAUDE_CODE_VERSION=2.1.330
# The package's postinstall links bin/claude.exe to the standalone native
# binary for this platform; checking its version proves it did.
RUN npm install -g --omit=dev "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
 && npm cache clean --force \
 && /usr/local/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe --version

FROM debian:${DEBIAN_VERSION}-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git openssh-client tini bubblewrap libnss-wrapper \
 && rm -rf /var/lib/apt/lists/*
# Only the native binary: no Node.js in the runtime image.
COPY --from=claude /usr/local/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe /usr/local/bin/claude
# warren-session-exec starts every session; it belongs beside warren.
COPY --from=build /out/warren /out/warren-session-exec /usr/local/bin/

# The server owns the data and host keys. Sessions pass through /data to
# their own 0700 directories; the host keys are the server's alone.
RUN mkdir -p /data /hostkeys \
 && chmod 0711 /data \
 && chmod 0700 /hostkeys

# The host keys keep a volume of their own, /hostkeys, where existing
# deployments have theirs: without WARREN_HOST_KEYS they would go under the
# data dir (/data/hostkeys), and every client would see a new host key.
# /healthz and /metrics listen on a socket only the server and the
# HEALTHCHECK (which reads WARREN_HTTP) can reach: on TCP, every session in
# the container could read them.
ENV WARREN_LISTEN=:2222 \
    WARREN_DATA=/data \
    WARREN_HOST_KEYS=/hostkeys \
    WARREN_HTTP=unix:/data/run/http.sock \
    WARREN_LOG_FORMAT=json \
    WARREN_ENV=ANTHROPIC_API_KEY \
    DISABLE_AUTOUPDATER=1

VOLUME ["/data", "/hostkeys"]
EXPOSE 2222
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["warren", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "warren"]
CMD ["serve"]
