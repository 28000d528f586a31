package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"postwork/chain/nostr"
)

// maxLineSize bounds one line of `event verify` input. nostr.Parse refuses
// input over nostr.MaxEventSize itself; the slack lets an event surrounded by
// whitespace reach it. A longer line is read to its end and reported invalid,
// but never held in memory.
const maxLineSize = nostr.MaxEventSize + 4<<10

func runEvent(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlagSet("event", "postwork event verify",
		`Commands on Nostr events (NIP-01 JSON objects):

  verify   check events read from stdin, one JSON object per line`)
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() == 0 {
		return usageError(flags, stderr, "missing subcommand")
	}
	switch sub, rest := flags.Arg(0), flags.Args()[1:]; sub {
	case "verify":
		return runEventVerify(rest, stdin, stdout, stderr)
	default:
		return usageError(flags, stderr, "unknown subcommand %q", sub)
	}
}

func runEventVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlagSet("event verify", "postwork event verify < events.jsonl",
		fmt.Sprintf(`Reads Nostr events from stdin, one JSON object per line, and checks each:
strict NIP-01 syntax, size limits, that the id is the hash of the event and
that the signature is a valid BIP-340 signature by the pubkey. For every
non-empty line it prints

  ok <id>
  invalid <id> line <n>: <reason>

where <id> is the id the line claims, or "-" if it has no readable one.
Lines longer than %d bytes are reported invalid without being read into
memory. Exits 1 if any line is invalid, 0 otherwise.`, maxLineSize))
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 {
		return usageError(flags, stderr, "unexpected argument %q (events are read from stdin)", flags.Arg(0))
	}

	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriter(stdout)
	invalid := false
	for n := 1; ; n++ {
		line, length, err := readLine(in, maxLineSize)
		if err == io.EOF {
			break
		}
		if err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "postwork event verify: read stdin: %v\n", err)
			return 1
		}
		if line == nil {
			fmt.Fprintf(out, "invalid - line %d: %d bytes long, more than the %d a line may have\n", n, length, maxLineSize)
			invalid = true
			continue
		}
		line = bytes.Trim(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		id, err := verifyEvent(line)
		if err != nil {
			fmt.Fprintf(out, "invalid %s line %d: %v\n", id, n, err)
			invalid = true
			continue
		}
		fmt.Fprintf(out, "ok %s\n", id)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "postwork event verify: write stdout: %v\n", err)
		return 1
	}
	if invalid {
		return 1
	}
	return 0
}

// verifyEvent parses and verifies one event. It returns the id the event
// claims as hex, or "-" when the line has none that could be read.
func verifyEvent(line []byte) (id string, err error) {
	ev, err := nostr.Parse(line)
	if err != nil {
		return claimedID(line), err
	}
	return hex.EncodeToString(ev.ID[:]), ev.Verify()
}

// claimedID digs the "id" out of a line nostr.Parse refused, so the report
// can name the event. Only a well-formed id (64 lower-case hex characters) is
// returned, so nothing from the input but an id reaches the output.
func claimedID(line []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(line, &obj) != nil {
		return "-"
	}
	var id string
	if json.Unmarshal(obj["id"], &id) != nil || len(id) != 64 {
		return "-"
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "-"
		}
	}
	return id
}

// readLine returns the next line of r without its "\n" and the line's length.
// A line longer than max bytes is consumed to its end but not kept: line is
// nil and length says how long it was. The last line may lack a "\n". err is
// io.EOF only when no bytes are left.
func readLine(r *bufio.Reader, max int) (line []byte, length int, err error) {
	var buf []byte
	for {
		frag, err := r.ReadSlice('\n')
		if err == nil {
			frag = frag[:len(frag)-1] // the newline
		}
		length += len(frag)
		if length <= max {
			buf = append(buf, frag...)
		} else {
			buf = nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || length == 0) {
			return nil, length, err
		}
		if length > max {
			return nil, length, nil
		}
		if buf == nil {
			buf = []byte{} // an empty line, not a long one
		}
		return buf, length, nil
	}
}
