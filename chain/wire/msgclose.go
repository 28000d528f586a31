package wire

import "encoding/json"

// MaxCloseMsgSize bounds a CLOSE frame.
const MaxCloseMsgSize = 256

// MsgClose ends a subscription: ["CLOSE",<sub id>].
type MsgClose struct {
	SubID string
}

func (m *MsgClose) Verb() string { return VerbClose }

func (m *MsgClose) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["CLOSE",`...)
	dst = appendString(dst, m.SubID)
	return append(dst, ']')
}

func parseClose(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbClose, len(items), "1 (a subscription id)")
	}
	sub, err := parseSubID(items[0])
	if err != nil {
		return nil, field("subscription id", err)
	}
	return &MsgClose{SubID: sub}, nil
}
