// Package config owns warren's one configuration struct: its defaults, the
// binding of every field to a command-line flag and a WARREN_* environment
// variable (the flag wins), and validation with one clear message per bad
// field.
//
// Only cmd/warren and internal/server import it; every other package gets its
// own Options struct filled in from a Config by the server. Load is pure: it
// reads the arguments and the getenv function it is given and nothing else.
package config
