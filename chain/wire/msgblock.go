package wire

import (
	"bytes"
	"encoding/json"

	"postwork/chain"
)

// MaxBlockMsgSize bounds a BLOCK frame: the largest block in base64.
const MaxBlockMsgSize = (chain.MaxBlockSize+2)/3*4 + 64

// MsgBlock carries one block, header and body: ["BLOCK","<base64>"], the
// base64 of chain.Block.Encode. It answers GETBLOCKS.
type MsgBlock struct {
	Block *chain.Block
}

func (m *MsgBlock) Verb() string { return VerbBlock }

func (m *MsgBlock) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["BLOCK",`...)
	dst = appendBase64(dst, m.Block.Encode())
	return append(dst, ']')
}

func parseBlock(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbBlock, len(items), "1 (base64 of the block)")
	}
	return decodeBlockItem(items[0])
}

func decodeBlockItem(raw json.RawMessage) (Message, error) {
	b, err := jsonBase64(raw, chain.MaxBlockSize)
	if err != nil {
		return nil, field("block", err)
	}
	blk, err := chain.DecodeBlock(b)
	if err != nil {
		return nil, field("block", err)
	}
	return &MsgBlock{Block: blk}, nil
}

// parseBlockFast reads the frame this package writes, ["BLOCK","<base64>"]
// without whitespace, without a JSON decoder's copies of a multi-megabyte
// string. Any other form goes the general way.
func parseBlockFast(frame []byte) (func() (Message, error), bool) {
	const prefix = `["BLOCK","`
	if len(frame) < len(prefix)+2 || !bytes.HasPrefix(frame, []byte(prefix)) || !bytes.HasSuffix(frame, []byte(`"]`)) {
		return nil, false
	}
	s := frame[len(prefix)-1 : len(frame)-1]
	if bytes.IndexByte(s[1:len(s)-1], '"') >= 0 || bytes.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	return func() (Message, error) {
		m, err := decodeBlockItem(s)
		if err != nil {
			return nil, &ParseError{Verb: VerbBlock, Msg: "BLOCK: " + err.Error(), Err: ErrMalformed}
		}
		return m, nil
	}, true
}
