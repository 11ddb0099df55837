package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// row is one line of the result table. Values are NaN where not measured.
type row struct {
	metric string
	unit   string  // "ms", "MiB/s", "KiB", "s"
	warren float64 // warren
	tmux   float64 // sshd + tmux
	plain  float64 // plain sshd, no tmux: the floor, where measured
	target target
}

// target is what a row should meet. Zero fields do not apply.
type target struct {
	maxRatio float64 // warren/tmux at most this
	minRatio float64 // warren/tmux at least this
	maxAbs   float64 // warren at most this, in the row's unit
}

func (t target) String() string {
	var parts []string
	if t.maxRatio > 0 {
		parts = append(parts, fmt.Sprintf("≤%.1f×", t.maxRatio))
	}
	if t.minRatio > 0 {
		parts = append(parts, fmt.Sprintf("≥%.1f×", t.minRatio))
	}
	if t.maxAbs > 0 {
		parts = append(parts, "≤"+trimFloat(t.maxAbs))
	}
	return strings.Join(parts, " ")
}

// ratio is warren/tmux, NaN when either is missing or tmux is zero.
func (r row) ratio() float64 {
	if math.IsNaN(r.warren) || math.IsNaN(r.tmux) || r.tmux == 0 {
		return math.NaN()
	}
	return r.warren / r.tmux
}

// verdict is "pass", "FAIL", "n/a" (a value needed is missing) or "" (no
// target).
func (r row) verdict() string {
	t := r.target
	if t == (target{}) {
		return ""
	}
	ratio := r.ratio()
	needRatio := t.maxRatio > 0 || t.minRatio > 0
	if math.IsNaN(r.warren) || (needRatio && math.IsNaN(ratio)) {
		return "n/a"
	}
	ok := (t.maxRatio == 0 || ratio <= t.maxRatio) &&
		(t.minRatio == 0 || ratio >= t.minRatio) &&
		(t.maxAbs == 0 || r.warren <= t.maxAbs)
	if ok {
		return "pass"
	}
	return "FAIL"
}

// formatValue prints v with three significant figures, "-" for NaN.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v == 0 || math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	case math.Abs(v) >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func trimFloat(v float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", v), ".0") }

// writeTable prints rows as an aligned table.
func writeTable(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "metric\tunit\twarren\tsshd+tmux\tsshd\twarren/tmux\ttarget\tresult\t\n")
	for _, r := range rows {
		ratio := "-"
		if q := r.ratio(); !math.IsNaN(q) {
			ratio = fmt.Sprintf("%.2f×", q)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.metric, r.unit,
			formatValue(r.warren), formatValue(r.tmux), formatValue(r.plain), ratio, r.target, r.verdict())
	}
	return tw.Flush()
}

// jsonRow is row for -json: missing values are null.
type jsonRow struct {
	Metric string   `json:"metric"`
	Unit   string   `json:"unit"`
	Warren *float64 `json:"warren"`
	Tmux   *float64 `json:"sshd_tmux"`
	Plain  *float64 `json:"sshd_plain,omitempty"`
	Ratio  *float64 `json:"ratio"`
	Target string   `json:"target,omitempty"`
	Result string   `json:"result,omitempty"`
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// writeJSON writes rows and the run's parameters as one JSON document.
func writeJSON(w io.Writer, params any, rows []row) error {
	out := struct {
		Params any       `json:"params"`
		Rows   []jsonRow `json:"rows"`
	}{Params: params}
	for _, r := range rows {
		out.Rows = append(out.Rows, jsonRow{
			Metric: r.metric, Unit: r.unit,
			Warren: num(r.warren), Tmux: num(r.tmux), Plain: num(r.plain), Ratio: num(r.ratio()),
			Target: r.target.String(), Result: r.verdict(),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
