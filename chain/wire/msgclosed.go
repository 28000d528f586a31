package wire

import "encoding/json"

// MaxClosedMsgSize bounds a CLOSED frame.
const MaxClosedMsgSize = 6*MaxReasonLength + 512

// MsgClosed tells a client the relay ended or refused a subscription:
// ["CLOSED",<sub id>,<reason>], the reason with a NIP-01 prefix.
type MsgClosed struct {
	SubID  string
	Reason string
}

func (m *MsgClosed) Verb() string { return VerbClosed }

func (m *MsgClosed) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["CLOSED",`...)
	dst = appendString(dst, m.SubID)
	dst = append(dst, ',')
	dst = appendString(dst, truncate(m.Reason, MaxReasonLength))
	return append(dst, ']')
}

func parseClosed(items []json.RawMessage) (Message, error) {
	if len(items) != 2 {
		return nil, wrongCount(VerbClosed, len(items), "2 (subscription id, reason)")
	}
	sub, err := parseSubID(items[0])
	if err != nil {
		return nil, field("subscription id", err)
	}
	reason, err := jsonString(items[1], MaxReasonLength)
	if err != nil {
		return nil, field("reason", err)
	}
	return &MsgClosed{SubID: sub, Reason: reason}, nil
}
