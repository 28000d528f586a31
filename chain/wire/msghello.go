package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"postwork/chain"
)

// ProtocolVersion is the version of the chain verbs this package speaks.
const ProtocolVersion = 1

// MaxHelloMsgSize bounds a HELLO frame.
const MaxHelloMsgSize = 2048

// Bounds on HELLO's strings.
const (
	MaxNetworkLength = 16
	MaxAgentLength   = 128
)

// MsgHello introduces a node to a peer, both ways, before any other chain
// verb: ["HELLO",{"network","genesis","tip","height","work","agent","version"}].
// A node refuses a peer whose network or genesis differs from its own.
type MsgHello struct {
	Network string     // network name, as chain.Params.Name
	Genesis chain.Hash // the network's genesis hash
	Tip     chain.Hash // the sender's best block
	Height  uint64     // its height
	Work    *big.Int   // cumulative work up to it
	Agent   string     // software and version, for logs ("postwork/0.1")
	Version int        // ProtocolVersion of the sender
}

func (m *MsgHello) Verb() string { return VerbHello }

func (m *MsgHello) AppendJSON(dst []byte) []byte {
	dst = append(dst, `["HELLO",{"network":`...)
	dst = appendString(dst, m.Network)
	dst = append(dst, `,"genesis":`...)
	dst = appendHex32(dst, m.Genesis)
	dst = append(dst, `,"tip":`...)
	dst = appendHex32(dst, m.Tip)
	dst = fmt.Appendf(dst, `,"height":%d,"work":`, m.Height)
	dst = appendWork(dst, m.Work)
	dst = append(dst, `,"agent":`...)
	dst = appendString(dst, truncate(m.Agent, MaxAgentLength))
	dst = fmt.Appendf(dst, `,"version":%d}]`, m.Version)
	return dst
}

func parseHello(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbHello, len(items), "1 (an object)")
	}
	m := &MsgHello{}
	var have int
	const need = 6 // every key but agent
	err := eachField(items[0], 7, func(key string, v json.RawMessage) error {
		var err error
		switch key {
		case "network":
			m.Network, err = jsonString(v, MaxNetworkLength)
		case "genesis":
			m.Genesis, err = jsonHex32(v)
		case "tip":
			m.Tip, err = jsonHex32(v)
		case "height":
			var h int64
			h, err = jsonInt(v, 1<<62)
			m.Height = uint64(h)
		case "work":
			m.Work, err = jsonWork(v)
		case "version":
			var n int64
			n, err = jsonInt(v, 1<<30)
			m.Version = int(n)
		case "agent":
			m.Agent, err = jsonString(v, MaxAgentLength)
			have-- // optional
		default:
			return errors.New("unknown key")
		}
		have++
		return err
	})
	if err != nil {
		return nil, err
	}
	if have != need {
		return nil, errors.New("want keys network, genesis, tip, height, work and version")
	}
	return m, nil
}
