package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCmd runs postwork with args and stdin, returning exit code and outputs.
func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected in stdout ("" means stdout must be empty)
		stderr string // substring expected in stderr ("" means stderr must be empty)
	}{
		{"no command", nil, 2, "", "usage: postwork <command>"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"help", []string{"help"}, 0, "keygen", ""},
		{"-h", []string{"-h"}, 0, "usage: postwork <command>", ""},
		{"help for a command", []string{"help", "keygen"}, 0, "usage: postwork keygen", ""},
		{"help for an unknown command", []string{"help", "frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"command -h", []string{"keygen", "-h"}, 0, "--force", ""},
		{"event -h", []string{"event", "-h"}, 0, "verify", ""},
		{"event verify -h", []string{"event", "verify", "-h"}, 0, "usage: postwork event verify", ""},
		{"bad flag", []string{"keygen", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{"event without subcommand", []string{"event"}, 2, "", "missing subcommand"},
		{"event unknown subcommand", []string{"event", "sign"}, 2, "", `unknown subcommand "sign"`},
		{"event verify with an argument", []string{"event", "verify", "x.jsonl"}, 2, "", "read from stdin"},
		{"node bad flag", []string{"node", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			check := func(what, got, want string) {
				if want == "" && got != "" {
					t.Errorf("%s = %q, want it empty", what, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", what, got, want)
				}
			}
			check("stdout", stdout, tt.stdout)
			check("stderr", stderr, tt.stderr)
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	_, stdout, _ := runCmd(t, "", "help")
	for _, c := range commands {
		if !strings.Contains(stdout, "  "+c.name+" ") {
			t.Errorf("help does not list %q:\n%s", c.name, stdout)
		}
	}
}
