package wire

import (
	"encoding/json"
	"fmt"
)

// MaxReqMsgSize bounds a REQ frame.
const MaxReqMsgSize = 128 << 10

// MaxFiltersPerReq bounds the filters of one REQ. A relay may allow fewer.
const MaxFiltersPerReq = 32

// MsgReq opens a subscription: ["REQ",<sub id>,<filter>...]. A REQ with the
// id of an open subscription replaces it.
type MsgReq struct {
	SubID   string
	Filters []Filter
}

func (m *MsgReq) Verb() string { return VerbReq }

func (m *MsgReq) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["REQ",`...)
	dst = appendString(dst, m.SubID)
	for i := range m.Filters {
		dst = append(dst, ',')
		dst = m.Filters[i].AppendJSON(dst)
	}
	return append(dst, ']')
}

func parseReq(items []json.RawMessage) (Message, error) {
	if len(items) == 0 {
		return nil, wrongCount(VerbReq, 0, "a subscription id and at least one filter")
	}
	sub, err := parseSubID(items[0])
	if err != nil {
		return nil, field("subscription id", err)
	}
	m := &MsgReq{SubID: sub}
	if len(items) == 1 {
		return nil, &ParseError{SubID: sub, Msg: "REQ: no filters", Err: ErrMalformed}
	}
	m.Filters = make([]Filter, len(items)-1)
	for i, raw := range items[1:] {
		if err := m.Filters[i].parse(raw); err != nil {
			return nil, &ParseError{SubID: sub, Msg: fmt.Sprintf("REQ: filter %d: %v", i, err), Err: ErrMalformed}
		}
	}
	return m, nil
}
