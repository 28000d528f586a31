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
// verb: ["HELLO",{"network","genesis","tip","height","work","agent","version","nonce"}].
// A node refuses a peer whose network or genesis differs from its own.
type MsgHello struct {
	Network string     // network name, as chain.Params.Name
	Genesis chain.Hash // the network's genesis hash
	Tip     chain.Hash // the sender's best block
	Height  uint64     // its height
	Work    *big.Int   // cumulative work up to it
	Agent   string     // software and version, for logs ("postwork/0.1")
	Version int        // ProtocolVersion of the sender
	// Nonce is a random number a node picks at start and sends in every
	// HELLO, so a node that dialled itself (its own address among its peers)
	// sees its own nonce come back. Optional: 0 is not sent; on the wire, 16
	// lower-case hex digits.
	Nonce uint64
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
	dst = fmt.Appendf(dst, `,"version":%d`, m.Version)
	if m.Nonce != 0 {
		dst = fmt.Appendf(dst, `,"nonce":"%016x"`, m.Nonce)
	}
	return append(dst, "}]"...)
}

func parseHello(items []json.RawMessage) (Message, error) {
	if len(items) != 1 {
		return nil, wrongCount(VerbHello, len(items), "1 (an object)")
	}
	m := &MsgHello{}
	var have int
	const need = 6 // every key but agent and nonce
	err := eachField(items[0], 8, func(key string, v json.RawMessage) error {
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
		case "nonce":
			m.Nonce, err = jsonNonce(v)
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

// jsonNonce parses HELLO's nonce: a string of 16 lower-case hex digits, not
// all zero (0 means no nonce, and is not sent).
func jsonNonce(v json.RawMessage) (uint64, error) {
	s, err := jsonString(v, 16)
	if err != nil {
		return 0, err
	}
	if len(s) != 16 {
		return 0, errors.New("want 16 hex digits")
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | uint64(c-'0')
		case 'a' <= c && c <= 'f':
			n = n<<4 | uint64(c-'a'+10)
		default:
			return 0, errors.New("want 16 lower-case hex digits")
		}
	}
	if n == 0 {
		return 0, errors.New("zero nonce (leave it out instead)")
	}
	return n, nil
}
