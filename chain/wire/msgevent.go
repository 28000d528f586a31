package wire

import (
	"encoding/json"
	"fmt"

	"postwork/chain/nostr"
)

// MaxEventMsgSize bounds an EVENT frame: the largest event nostr.Parse
// accepts, a subscription id and the framing.
const MaxEventMsgSize = nostr.MaxEventSize + 256

// MaxSubIDLength bounds a subscription id (NIP-01: at most 64 characters).
const MaxSubIDLength = 64

// MsgEvent is an event. A client publishes it as ["EVENT",<event>]; a relay
// delivers it to a subscription as ["EVENT",<sub id>,<event>]. Nodes forward
// posts to each other in the publishing form.
type MsgEvent struct {
	SubID string // the subscription it is delivered to; empty when published
	Event *nostr.Event
}

func (m *MsgEvent) Verb() string { return VerbEvent }

func (m *MsgEvent) AppendJSON(dst []byte) []byte {
	if m.SubID == "" {
		dst = append(dst, `["EVENT",`...)
		dst = m.Event.AppendJSON(dst)
		return append(dst, ']')
	}
	return AppendEventDelivery(dst, m.SubID, m.Event.AppendJSON(nil))
}

// AppendEventDelivery appends ["EVENT",<subID>,<eventJSON>] where eventJSON is
// an event's AppendJSON, so a relay encodes an event once however many
// subscriptions it goes to.
func AppendEventDelivery(dst []byte, subID string, eventJSON []byte) []byte {
	dst = append(dst, `["EVENT",`...)
	dst = appendString(dst, subID)
	dst = append(dst, ',')
	dst = append(dst, eventJSON...)
	return append(dst, ']')
}

func parseEvent(items []json.RawMessage) (Message, error) {
	m := &MsgEvent{}
	raw := items
	switch len(items) {
	case 1:
	case 2:
		sub, err := parseSubID(items[0])
		if err != nil {
			return nil, field("subscription id", err)
		}
		m.SubID, raw = sub, items[1:]
	default:
		return nil, wrongCount(VerbEvent, len(items), "1 (an event) or 2 (a subscription id and an event)")
	}
	ev, err := nostr.Parse(raw[0])
	if err != nil {
		pe := &ParseError{Msg: fmt.Sprintf("EVENT: %v", err), Err: err}
		pe.EventID, pe.HasID = claimedID(raw[0])
		return nil, pe
	}
	m.Event = ev
	return m, nil
}

// claimedID digs the id out of an event nostr.Parse refused, so the relay can
// answer OK false under it. Only a well-formed id is returned.
func claimedID(raw json.RawMessage) (id [32]byte, ok bool) {
	err := eachField(raw, 64, func(key string, v json.RawMessage) error {
		if key == "id" {
			id, ok = [32]byte{}, false
			if h, err := jsonHex32(v); err == nil {
				id, ok = h, true
			}
		}
		return nil
	})
	if err != nil {
		return [32]byte{}, false
	}
	return id, ok
}

// parseSubID reads a subscription id: a non-empty string of at most
// MaxSubIDLength bytes.
func parseSubID(raw json.RawMessage) (string, error) {
	s, err := jsonString(raw, MaxSubIDLength)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("empty")
	}
	return s, nil
}

// parseEventFast reads a published event, ["EVENT",<event>], without a JSON
// decoder's scan and copy: what lies between the comma and the closing
// bracket is handed to nostr.Parse, which accepts exactly one event object
// and nothing else. Anything it refuses goes the general way, which also
// makes the error.
func parseEventFast(frame []byte) (Message, bool) {
	i := skipSpace(frame, 0) + 1 // '[', as peekVerb found
	i = skipSpace(frame, i) + len(`"EVENT"`)
	i = skipSpace(frame, i)
	if i >= len(frame) || frame[i] != ',' {
		return nil, false
	}
	end := len(frame)
	for end > i && (frame[end-1] == ' ' || frame[end-1] == '\t' || frame[end-1] == '\n' || frame[end-1] == '\r') {
		end--
	}
	if end <= i+1 || frame[end-1] != ']' {
		return nil, false
	}
	body := frame[i+1 : end-1]
	if j := skipSpace(body, 0); j >= len(body) || body[j] != '{' {
		return nil, false // a subscription id first: a delivery
	}
	ev, err := nostr.Parse(body)
	if err != nil {
		return nil, false
	}
	return &MsgEvent{Event: ev}, true
}
