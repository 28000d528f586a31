package ui

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestAssets(t *testing.T) {
	for _, name := range []string{"style.css", "live.js"} {
		b, err := fs.ReadFile(Static, name)
		if err != nil {
			t.Fatalf("%s not embedded: %v", name, err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
		if v := AssetVersion(name); len(v) != 12 {
			t.Errorf("%s version %q", name, v)
		}
		if got, want := AssetPath(name), "/ui/"+name+"?v="+AssetVersion(name); got != want {
			t.Errorf("AssetPath(%q) = %q, want %q", name, got, want)
		}
	}
	if AssetVersion("missing.css") != "" {
		t.Error("version for a file that does not exist")
	}
}

// The pages must work with no internet: nothing they load may name another
// host, and the stylesheet loads nothing at all.
func TestAssetsLoadNothingRemote(t *testing.T) {
	css, _ := fs.ReadFile(Static, "style.css")
	js, _ := fs.ReadFile(Static, "live.js")
	for _, bad := range []string{"@import", "url(", "@font-face"} {
		if strings.Contains(string(css), bad) {
			t.Errorf("style.css uses %s", bad)
		}
	}
	remote := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	for name, b := range map[string][]byte{"style.css": css, "live.js": js} {
		// Comments may mention URLs; code may not.
		code := regexp.MustCompile(`(?s)/\*.*?\*/|(?m)^\s*//.*$`).ReplaceAll(b, nil)
		if m := remote.Find(code); m != nil {
			t.Errorf("%s refers to a remote host: %s", name, m)
		}
	}
}

// Both colour schemes are styled, and keyboard focus is visible.
func TestStylesheetSchemesAndFocus(t *testing.T) {
	css, _ := fs.ReadFile(Static, "style.css")
	for _, want := range []string{"prefers-color-scheme: dark", ":focus-visible", "max-width: 40rem", "prefers-reduced-motion"} {
		if !strings.Contains(string(css), want) {
			t.Errorf("style.css lacks %q", want)
		}
	}
}
