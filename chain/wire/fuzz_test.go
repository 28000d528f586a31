package wire

import (
	"bytes"
	"math/big"
	"testing"

	"postwork/chain"
)

// FuzzParse: no input panics; whatever Parse accepts encodes to a frame that
// parses again to the same encoding (the codec is a fixed point after one
// round), within its verb's limit.
func FuzzParse(f *testing.F) {
	ev := signed(f, 9, "fuzz", 1700000000, []string{"t", "x"})
	blk := testBlock(f, ev)
	seeds := []Message{
		&MsgEvent{Event: ev},
		&MsgEvent{SubID: "s", Event: ev},
		&MsgReq{SubID: "s", Filters: []Filter{{Kinds: []int{1}, Tags: map[string][]string{"t": {"x"}}, Since: 1, Until: 2, HasLimit: true}}},
		&MsgClose{SubID: "s"},
		&MsgOK{EventID: ev.ID, Reason: "pow: low"},
		&MsgEOSE{SubID: "s"},
		&MsgClosed{SubID: "s", Reason: "r"},
		&MsgNotice{Message: "n"},
		&MsgHello{Network: "test", Work: big.NewInt(5), Version: 1},
		&MsgHello{Network: "test", Work: big.NewInt(5), Version: 1, Nonce: 42},
		&MsgTip{Header: blk.Header, Work: big.NewInt(5)},
		&MsgGetHeaders{Locator: []chain.Hash{{1}}, Max: 3},
		&MsgHeaders{Headers: []chain.Header{blk.Header}},
		&MsgGetBlocks{Hashes: []chain.Hash{{2}}},
		&MsgBlock{Block: blk},
		&MsgNotFound{Hashes: []chain.Hash{{3}}},
	}
	for _, m := range seeds {
		f.Add(Encode(m))
	}
	for _, s := range []string{``, `[`, `["AUTH","x"]`, `["REQ","s",{"#e":["\ud800"]}]`, `["EVENT",{"id":1}]`, `["BLOCK","]`, ` [ "CLOSE" , "x" ] `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := Parse(frame)
		if err != nil {
			if m != nil {
				t.Fatal("message and error both returned")
			}
			return
		}
		once := Encode(m)
		if len(once) > MaxSize(m.Verb()) {
			t.Fatalf("%s re-encodes to %d bytes, over its limit", m.Verb(), len(once))
		}
		m2, err := Parse(once)
		if err != nil {
			t.Fatalf("own encoding %.200q refused: %v", once, err)
		}
		if twice := Encode(m2); !bytes.Equal(once, twice) {
			t.Fatalf("not a fixed point:\n%.200q\n%.200q", once, twice)
		}
	})
}
