// Command postwork is the one native binary of postwork: it runs a node and
// offers small tools around keys and events.
//
// Usage:
//
//	postwork <command> [arguments]
//
// The commands are:
//
//	keygen        create a new key pair (npub/nsec)
//	event verify  check Nostr events, one JSON object per line of stdin
//	node          run a relay and full node
//	help          show this help, or a command's help
//
// Run "postwork <command> -h" for a command's flags.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// command is one subcommand. run gets the arguments after the command's name
// and returns the process exit code: 0 success, 1 failure, 2 bad usage.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order help shows them. "help" is
// handled by run itself, which keeps this table free of an initialization
// cycle.
var commands = []command{
	{"keygen", "create a new key pair (npub/nsec)", runKeygen},
	{"event", "check Nostr events: event verify", runEvent},
	{"node", "run a relay and full node", runNode},
	{"chain", "check a node's stored chain: chain verify", runChain},
	{"post", "sign a post, do its proof of work and publish it to a node", runPost},
	{"status", "show a node's tip, peers, mempool and hashrate", runStatus},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches args (without the program name) to a subcommand and returns
// the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return 0
		}
		if c := lookup(rest[0]); c != nil {
			return c.run([]string{"-h"}, stdin, stdout, stderr)
		}
		fmt.Fprintf(stderr, "postwork help: unknown command %q\n", rest[0])
		usage(stderr)
		return 2
	}
	if c := lookup(name); c != nil {
		return c.run(rest, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "postwork: unknown command %q\n", name)
	usage(stderr)
	return 2
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, "postwork: a proof-of-work blockchain of signed posts\n\n")
	fmt.Fprint(w, "usage: postwork <command> [arguments]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "show this help, or a command's: postwork help <command>")
	fmt.Fprint(w, "\nRun \"postwork <command> -h\" for a command's flags.\n")
}

// parseFlags parses args with fs. A request for help (-h) prints the usage to
// stdout and returns exit code 0; a bad flag prints the error and the usage to
// stderr and returns 2. ok reports whether the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		stdout.Write(out.Bytes())
		return 0, false
	default:
		stderr.Write(out.Bytes())
		return 2, false
	}
}

// usageError prints msg and fs's usage to stderr and returns exit code 2.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	fs.SetOutput(stderr)
	fs.Usage()
	return 2
}

// newFlagSet returns a FlagSet named "postwork NAME" whose usage is the given
// synopsis and description followed by the flags.
func newFlagSet(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("postwork "+name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n\n%s\n", synopsis, description)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(w, "\nflags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}
