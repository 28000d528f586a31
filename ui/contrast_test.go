package ui

import (
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// schemes reads the colour variables of style.css: the light scheme from the
// first :root block, the dark one from :root inside prefers-color-scheme:
// dark (falling back to light for what it does not set).
func schemes(t *testing.T) map[string]map[string]string {
	t.Helper()
	b, err := fs.ReadFile(Static, "style.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	vars := regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;`)
	block := func(s string) map[string]string {
		end := strings.Index(s, "}")
		m := map[string]string{}
		for _, v := range vars.FindAllStringSubmatch(s[:end], -1) {
			m[v[1]] = v[2]
		}
		return m
	}
	light := block(css[strings.Index(css, ":root {"):])
	dark := map[string]string{}
	for k, v := range light {
		dark[k] = v
	}
	d := css[strings.Index(css, "prefers-color-scheme: dark"):]
	for k, v := range block(d[strings.Index(d, ":root {"):]) {
		dark[k] = v
	}
	return map[string]map[string]string{"light": light, "dark": dark}
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Text colours meet WCAG AA (4.5:1) on every background they are used on,
// in both schemes; the focus ring meets the 3:1 of non-text contrast.
func TestContrast(t *testing.T) {
	pairs := []struct {
		fg, bg string
		min    float64
	}{
		{"fg", "bg", 4.5}, {"fg", "surface", 4.5},
		{"muted", "bg", 4.5}, {"muted", "surface", 4.5},
		{"link", "bg", 4.5}, {"link", "surface", 4.5},
		{"bg", "link", 4.5}, // button text
		{"ok-fg", "ok-bg", 4.5}, {"warn-fg", "warn-bg", 4.5}, {"err-fg", "err-bg", 4.5},
		{"focus", "bg", 3}, {"focus", "surface", 3},
	}
	for name, vars := range schemes(t) {
		if len(vars) < 12 {
			t.Fatalf("%s scheme: only %d colours parsed", name, len(vars))
		}
		for _, p := range pairs {
			fg, bg := vars[p.fg], vars[p.bg]
			if fg == "" || bg == "" {
				t.Errorf("%s: --%s or --%s missing", name, p.fg, p.bg)
				continue
			}
			if c := contrast(fg, bg); c < p.min {
				t.Errorf("%s: --%s %s on --%s %s: contrast %.2f, want ≥ %.1f", name, p.fg, fg, p.bg, bg, c, p.min)
			}
		}
	}
}
