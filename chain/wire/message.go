package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Verbs: the first element of every frame.
const (
	VerbEvent      = "EVENT"
	VerbReq        = "REQ"
	VerbClose      = "CLOSE"
	VerbOK         = "OK"
	VerbEOSE       = "EOSE"
	VerbClosed     = "CLOSED"
	VerbNotice     = "NOTICE"
	VerbHello      = "HELLO"
	VerbTip        = "TIP"
	VerbGetHeaders = "GETHEADERS"
	VerbHeaders    = "HEADERS"
	VerbGetBlocks  = "GETBLOCKS"
	VerbBlock      = "BLOCK"
	VerbNotFound   = "NOTFOUND"
)

// Size limits of whole frames. A verb's own limit (MaxXxxSize in its file)
// is at most one of these.
const (
	// MaxMessageSize bounds every frame but BLOCK: what a relay lets a
	// connection send before it has introduced itself as a node.
	MaxMessageSize = 256 << 10
	// MaxFrameSize bounds any frame: a BLOCK carrying the largest block.
	MaxFrameSize = MaxBlockMsgSize
)

// Errors wrapped by every *ParseError; test with errors.Is. An EVENT whose
// event is refused by nostr.Parse wraps nostr.ErrMalformed or
// nostr.ErrTooLarge instead of ErrMalformed.
var (
	ErrMalformed   = errors.New("malformed message")
	ErrTooLarge    = errors.New("message too large")
	ErrUnknownVerb = errors.New("unknown verb")
)

// ParseError says what is wrong with a frame, with what could be read of it,
// so a relay can answer in kind: OK false for an EVENT whose id it read,
// CLOSED for a REQ whose subscription id it read, NOTICE otherwise.
type ParseError struct {
	Verb    string   // the verb, if it could be read
	SubID   string   // REQ and CLOSE: the subscription id, if it could be read
	EventID [32]byte // EVENT: the id the event claims, if HasID
	HasID   bool
	Msg     string
	Err     error
}

func (e *ParseError) Error() string { return e.Msg }

// Unwrap lets errors.Is find the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

// Message is one protocol message.
type Message interface {
	// Verb returns the message's verb.
	Verb() string
	// AppendJSON appends the message's frame: the JSON array, verb first.
	AppendJSON(dst []byte) []byte
}

// Encode returns the frame of m.
func Encode(m Message) []byte { return m.AppendJSON(nil) }

// verbSpec says how to read one verb.
type verbSpec struct {
	maxSize  int // bytes of the whole frame
	maxItems int // elements after the verb
	parse    func(items []json.RawMessage) (Message, error)
}

var verbs map[string]verbSpec

func init() {
	verbs = map[string]verbSpec{
		VerbEvent:      {MaxEventMsgSize, 2, parseEvent},
		VerbReq:        {MaxReqMsgSize, 1 + MaxFiltersPerReq, parseReq},
		VerbClose:      {MaxCloseMsgSize, 1, parseClose},
		VerbOK:         {MaxOKMsgSize, 3, parseOK},
		VerbEOSE:       {MaxEOSEMsgSize, 1, parseEOSE},
		VerbClosed:     {MaxClosedMsgSize, 2, parseClosed},
		VerbNotice:     {MaxNoticeMsgSize, 1, parseNotice},
		VerbHello:      {MaxHelloMsgSize, 1, parseHello},
		VerbTip:        {MaxTipMsgSize, 1, parseTip},
		VerbGetHeaders: {MaxGetHeadersMsgSize, 1, parseGetHeaders},
		VerbHeaders:    {MaxHeadersMsgSize, 1, parseHeaders},
		VerbGetBlocks:  {MaxGetBlocksMsgSize, 1, parseGetBlocks},
		VerbBlock:      {MaxBlockMsgSize, 1, parseBlock},
		VerbNotFound:   {MaxNotFoundMsgSize, 1, parseNotFound},
	}
}

// MaxSize returns the largest frame a verb may have, 0 for an unknown verb.
func MaxSize(verb string) int { return verbs[verb].maxSize }

// Parse reads one frame. It refuses a frame over MaxFrameSize, or over its
// verb's limit, before decoding it, and returns a *ParseError for anything
// it cannot accept: ErrUnknownVerb for a well-formed frame with a verb it
// does not know (the caller may ignore those), ErrTooLarge, or ErrMalformed.
func Parse(frame []byte) (Message, error) {
	if len(frame) > MaxFrameSize {
		return nil, &ParseError{Msg: fmt.Sprintf("message of %d bytes, limit %d", len(frame), MaxFrameSize), Err: ErrTooLarge}
	}
	verb, ok := peekVerb(frame)
	if !ok {
		return nil, &ParseError{Msg: "not a json array starting with a verb string", Err: ErrMalformed}
	}
	spec, known := verbs[verb]
	if !known {
		return nil, &ParseError{Verb: verb, Msg: fmt.Sprintf("unknown verb %q", verb), Err: ErrUnknownVerb}
	}
	if len(frame) > spec.maxSize {
		return nil, &ParseError{Verb: verb, Msg: fmt.Sprintf("%s of %d bytes, limit %d", verb, len(frame), spec.maxSize), Err: ErrTooLarge}
	}
	if !utf8.Valid(frame) {
		return nil, &ParseError{Verb: verb, Msg: verb + ": not valid utf-8", Err: ErrMalformed}
	}
	switch verb {
	case VerbBlock:
		if m, ok := parseBlockFast(frame); ok {
			return m()
		}
	case VerbEvent:
		if m, ok := parseEventFast(frame); ok {
			return m, nil
		}
	}
	items, err := splitArray(frame, 1+spec.maxItems)
	if err != nil {
		return nil, &ParseError{Verb: verb, Msg: fmt.Sprintf("%s: %v", verb, err), Err: ErrMalformed}
	}
	m, err := spec.parse(items[1:])
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Verb = verb
			return nil, pe
		}
		return nil, &ParseError{Verb: verb, Msg: fmt.Sprintf("%s: %v", verb, err), Err: ErrMalformed}
	}
	return m, nil
}

// peekVerb reads the verb of a frame without decoding it: optional
// whitespace, '[', optional whitespace, then a string of at most 32 bytes
// without escapes.
func peekVerb(frame []byte) (string, bool) {
	i := skipSpace(frame, 0)
	if i >= len(frame) || frame[i] != '[' {
		return "", false
	}
	i = skipSpace(frame, i+1)
	if i >= len(frame) || frame[i] != '"' {
		return "", false
	}
	start := i + 1
	for j := start; j < len(frame) && j <= start+32; j++ {
		switch c := frame[j]; {
		case c == '"':
			return string(frame[start:j]), true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// wrongCount is the error for a frame with the wrong number of elements.
func wrongCount(verb string, got int, want string) error {
	return fmt.Errorf("%s has %d elements after the verb, want %s", verb, got, want)
}

// field wraps an error about a named part of a message.
func field(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }
