package wire

import "encoding/json"

// MaxNoticeMsgSize bounds a NOTICE frame.
const MaxNoticeMsgSize = 6*MaxReasonLength + 64

// MsgNotice is a human-readable message from a relay: ["NOTICE",<text>].
type MsgNotice struct {
	Message string
}

func (m *MsgNotice) Verb() string { return VerbNotice }

func (m *MsgNotice) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["NOTICE",`...)
	dst = appendString(dst, truncate(m.Message, MaxReasonLength))
	return append(dst, ']')
}

func parseNotice(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbNotice, len(items), "1 (a message)")
	}
	s, err := jsonString(items[0], MaxReasonLength)
	if err != nil {
		return nil, field("message", err)
	}
	return &MsgNotice{Message: s}, nil
}
