package wire

import (
	"encoding/json"
	"errors"

	"postwork/chain"
)

// MaxBlocksPerMsg bounds the hashes of GETBLOCKS and NOTFOUND.
const MaxBlocksPerMsg = 16

// MaxGetBlocksMsgSize bounds a GETBLOCKS frame.
const MaxGetBlocksMsgSize = MaxBlocksPerMsg*67 + 64

// MsgGetBlocks asks for blocks by hash: ["GETBLOCKS",[hashes]], one to
// MaxBlocksPerMsg of them. The peer answers with a BLOCK for each it has, in
// order, and one NOTFOUND listing those it lacks.
type MsgGetBlocks struct {
	Hashes []chain.Hash
}

func (m *MsgGetBlocks) Verb() string { return VerbGetBlocks }

func (m *MsgGetBlocks) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["GETBLOCKS",`...)
	dst = appendHashList(dst, m.Hashes)
	return append(dst, ']')
}

func parseGetBlocks(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbGetBlocks, len(items), "1 (a list of hashes)")
	}
	hashes, err := parseHashList(items[0], MaxBlocksPerMsg)
	if err != nil {
		return nil, field("hashes", err)
	}
	if len(hashes) == 0 {
		return nil, errors.New("hashes: empty")
	}
	return &MsgGetBlocks{Hashes: hashes}, nil
}
