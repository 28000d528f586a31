package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"postwork/chain"
)

// MaxTipMsgSize bounds a TIP frame.
const MaxTipMsgSize = 1024

// MsgTip announces a node's new best block:
// ["TIP",{"hash","height","work","header"}], the header in base64. A peer
// that lacks the block validates the header and asks for the body, or for
// the headers between when it lacks the parent. hash and height are there
// for people reading the traffic; Parse checks that they match the header.
type MsgTip struct {
	Header chain.Header
	Work   *big.Int
}

func (m *MsgTip) Verb() string { return VerbTip }

func (m *MsgTip) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["TIP",{"hash":`...)
	dst = appendHex32(dst, m.Header.Hash())
	dst = fmt.Appendf(dst, `,"height":%d,"work":`, m.Header.Height)
	dst = appendWork(dst, m.Work)
	dst = append(dst, `,"header":`...)
	h := m.Header.Encode()
	dst = appendBase64(dst, h[:])
	return append(dst, "}]"...)
}

func parseTip(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbTip, len(items), "1 (an object)")
	}
	m := &MsgTip{}
	var hash [32]byte
	var height int64
	have := 0
	err := eachField(items[0], 4, func(key string, v json.RawMessage) error {
		var err error
		switch key {
		case "hash":
			hash, err = jsonHex32(v)
		case "height":
			height, err = jsonInt(v, 1<<62)
		case "work":
			m.Work, err = jsonWork(v)
		case "header":
			var b []byte
			if b, err = jsonBase64(v, chain.HeaderSize); err == nil {
				m.Header, err = chain.DecodeHeader(b)
			}
		default:
			return errors.New("unknown key")
		}
		have++
		return err
	})
	if err != nil {
		return nil, err
	}
	if have != 4 {
		return nil, errors.New("want keys hash, height, work and header")
	}
	if m.Header.Hash() != hash || m.Header.Height != uint64(height) {
		return nil, errors.New("hash or height does not match the header")
	}
	return m, nil
}
