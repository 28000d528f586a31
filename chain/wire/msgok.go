package wire

import (
	"encoding/json"
	"unicode/utf8"
)

// MaxReasonLength bounds the human-readable text of OK, CLOSED and NOTICE;
// AppendJSON cuts a longer one at a character boundary.
const MaxReasonLength = 1024

// MaxOKMsgSize bounds an OK frame: an id, a boolean and a reason that may be
// escaped to six bytes a character.
const MaxOKMsgSize = 6*MaxReasonLength + 128

// Prefixes NIP-01 defines for the reason of OK and CLOSED, so a client can
// tell why it was refused.
const (
	PrefixDuplicate   = "duplicate"
	PrefixPoW         = "pow"
	PrefixBlocked     = "blocked"
	PrefixRateLimited = "rate-limited"
	PrefixInvalid     = "invalid"
	PrefixRestricted  = "restricted"
	PrefixError       = "error"
	PrefixUnsupported = "unsupported"
)

// MsgOK answers an EVENT: ["OK",<event id>,<accepted>,<reason>]. The reason
// starts with a prefix and a colon when the event was refused or is a
// duplicate.
type MsgOK struct {
	EventID  [32]byte
	Accepted bool
	Reason   string
}

func (m *MsgOK) Verb() string { return VerbOK }

func (m *MsgOK) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["OK",`...)
	dst = appendHex32(dst, m.EventID)
	if m.Accepted {
		dst = append(dst, ",true,"...)
	} else {
		dst = append(dst, ",false,"...)
	}
	dst = appendString(dst, truncate(m.Reason, MaxReasonLength))
	return append(dst, ']')
}

func parseOK(items []json.RawMessage) (Message, error) {
	if len(items) != 3 {
		return nil, wrongCount(VerbOK, len(items), "3 (event id, accepted, reason)")
	}
	id, err := jsonHex32(items[0])
	if err != nil {
		return nil, field("event id", err)
	}
	ok, err := jsonBool(items[1])
	if err != nil {
		return nil, field("accepted", err)
	}
	reason, err := jsonString(items[2], MaxReasonLength)
	if err != nil {
		return nil, field("reason", err)
	}
	return &MsgOK{EventID: id, Accepted: ok, Reason: reason}, nil
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
