package wire

import (
	"encoding/json"
	"fmt"

	"postwork/chain"
)

// MaxHeadersMsgSize bounds a HEADERS frame: MaxHeadersPerMsg headers in base64.
const MaxHeadersMsgSize = (MaxHeadersPerMsg*chain.HeaderSize+2)/3*4 + 64

// MsgHeaders answers GETHEADERS: ["HEADERS","<base64>"], the base64 of the
// 96-byte headers concatenated, parents first; "" when there are none.
type MsgHeaders struct {
	Headers []chain.Header
}

func (m *MsgHeaders) Verb() string { return VerbHeaders }

func (m *MsgHeaders) AppendJSON(dst []byte) []byte {
	raw := make([]byte, 0, len(m.Headers)*chain.HeaderSize)
	for i := range m.Headers {
		h := m.Headers[i].Encode()
		raw = append(raw, h[:]...)
	}
	dst = append(dst, `["HEADERS",`...)
	dst = appendBase64(dst, raw)
	return append(dst, ']')
}

func parseHeaders(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbHeaders, len(items), "1 (base64 of the headers)")
	}
	raw, err := jsonBase64(items[0], MaxHeadersPerMsg*chain.HeaderSize)
	if err != nil {
		return nil, field("headers", err)
	}
	if len(raw)%chain.HeaderSize != 0 {
		return nil, fmt.Errorf("headers: %d bytes is not a whole number of %d-byte headers", len(raw), chain.HeaderSize)
	}
	m := &MsgHeaders{Headers: make([]chain.Header, len(raw)/chain.HeaderSize)}
	for i := range m.Headers {
		h, err := chain.DecodeHeader(raw[i*chain.HeaderSize : (i+1)*chain.HeaderSize])
		if err != nil {
			return nil, fmt.Errorf("header %d: %v", i, err)
		}
		m.Headers[i] = h
	}
	return m, nil
}
