package wire

import "encoding/json"

// MaxEOSEMsgSize bounds an EOSE frame.
const MaxEOSEMsgSize = 256

// MsgEOSE marks the end of stored events for a subscription: ["EOSE",<sub id>].
// Events after it are new.
type MsgEOSE struct {
	SubID string
}

func (m *MsgEOSE) Verb() string { return VerbEOSE }

func (m *MsgEOSE) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["EOSE",`...)
	dst = appendString(dst, m.SubID)
	return append(dst, ']')
}

func parseEOSE(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbEOSE, len(items), "1 (a subscription id)")
	}
	sub, err := parseSubID(items[0])
	if err != nil {
		return nil, field("subscription id", err)
	}
	return &MsgEOSE{SubID: sub}, nil
}
