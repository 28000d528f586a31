package wire

import (
	"encoding/json"

	"postwork/chain"
)

// MaxNotFoundMsgSize bounds a NOTFOUND frame.
const MaxNotFoundMsgSize = MaxBlocksPerMsg*67 + 64

// MsgNotFound lists the blocks of a GETBLOCKS the peer does not have:
// ["NOTFOUND",[hashes]].
type MsgNotFound struct {
	Hashes []chain.Hash
}

func (m *MsgNotFound) Verb() string { return VerbNotFound }

func (m *MsgNotFound) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["NOTFOUND",`...)
	dst = appendHashList(dst, m.Hashes)
	return append(dst, ']')
}

func parseNotFound(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbNotFound, len(items), "1 (a list of hashes)")
	}
	hashes, err := parseHashList(items[0], MaxBlocksPerMsg)
	if err != nil {
		return nil, field("hashes", err)
	}
	return &MsgNotFound{Hashes: hashes}, nil
}
