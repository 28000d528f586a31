package wire

import (
	"encoding/json"
	"errors"

	"postwork/chain"
)

// MaxHeadersPerMsg bounds the headers of one HEADERS message.
const MaxHeadersPerMsg = 2000

// MaxGetHeadersMsgSize bounds a GETHEADERS frame: a full locator and a stop hash.
const MaxGetHeadersMsgSize = (chain.MaxLocatorHashes+1)*67 + 128

// MsgGetHeaders asks for best-chain headers after the first locator hash the
// peer knows: ["GETHEADERS",{"locator":[hashes],"stop":hash,"max":n}]. stop
// (optional) ends the answer early; max (optional) is at most, and by
// default, MaxHeadersPerMsg.
type MsgGetHeaders struct {
	Locator []chain.Hash // newest first, as chain.Locator returns it
	Stop    chain.Hash   // zero: none
	Max     int          // 1..MaxHeadersPerMsg; 0: MaxHeadersPerMsg
}

func (m *MsgGetHeaders) Verb() string { return VerbGetHeaders }

func (m *MsgGetHeaders) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["GETHEADERS",{"locator":`...)
	dst = appendHashList(dst, m.Locator)
	if m.Stop != (chain.Hash{}) {
		dst = append(dst, `,"stop":`...)
		dst = appendHex32(dst, m.Stop)
	}
	if m.Max > 0 {
		dst = append(dst, `,"max":`...)
		dst = appendInt(dst, int64(m.Max))
	}
	return append(dst, "}]"...)
}

func parseGetHeaders(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbGetHeaders, len(items), "1 (an object)")
	}
	m := &MsgGetHeaders{}
	haveLocator := false
	err := eachField(items[0], 3, func(key string, v json.RawMessage) error {
		switch key {
		case "locator":
			haveLocator = true
			var err error
			m.Locator, err = parseHashList(v, chain.MaxLocatorHashes)
			return err
		case "stop":
			h, err := jsonHex32(v)
			m.Stop = h
			return err
		case "max":
			n, err := jsonInt(v, MaxHeadersPerMsg)
			if err == nil && n == 0 {
				err = errors.New("zero")
			}
			m.Max = int(n)
			return err
		}
		return errors.New("unknown key")
	})
	if err != nil {
		return nil, err
	}
	if !haveLocator {
		return nil, errors.New("missing locator")
	}
	return m, nil
}

// parseHashList reads a JSON array of at most max hashes.
func parseHashList(raw json.RawMessage, max int) ([]chain.Hash, error) {
	var out []chain.Hash
	err := eachItem(raw, max, func(i int, v json.RawMessage) error {
		h, err := jsonHex32(v)
		if err != nil {
			return field("element "+itoa(i), err)
		}
		out = append(out, h)
		return nil
	})
	return out, err
}
