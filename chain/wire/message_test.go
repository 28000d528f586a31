package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/nostr"
)

// roundTrip encodes m, parses the frame and checks the result encodes to the
// same bytes: the codec neither loses nor invents anything.
func roundTrip(t *testing.T, m Message) Message {
	t.Helper()
	frame := Encode(m)
	if len(frame) > MaxSize(m.Verb()) {
		t.Fatalf("%s encodes to %d bytes, over its own limit %d", m.Verb(), len(frame), MaxSize(m.Verb()))
	}
	got, err := Parse(frame)
	if err != nil {
		t.Fatalf("Parse(%.200s): %v", frame, err)
	}
	if got.Verb() != m.Verb() {
		t.Fatalf("verb %s, want %s", got.Verb(), m.Verb())
	}
	if again := Encode(got); !bytes.Equal(again, frame) {
		t.Fatalf("re-encoded differently:\n got %.300s\nwant %.300s", again, frame)
	}
	return got
}

func TestRoundTripEveryVerb(t *testing.T) {
	ev := signed(t, 1, "hello \"world\"\n\u2028", 1700000000, []string{"t", "postwork"}, []string{"e", strings.Repeat("ab", 32)})
	blk := testBlock(t, ev, signed(t, 2, "second", 1700000001))
	hdrs := []chain.Header{chain.TestNet.Genesis().Header, blk.Header}
	var h1, h2 chain.Hash
	h1[0], h2[31] = 1, 2
	msgs := []Message{
		&MsgEvent{Event: ev},
		&MsgEvent{SubID: "sub:1", Event: ev},
		&MsgReq{SubID: "s", Filters: []Filter{{}, {IDs: [][32]byte{ev.ID}, Kinds: []int{0, 1}, Tags: map[string][]string{"t": {"postwork", "x"}, "e": {}}, Since: 5, Until: 9, Limit: 0, HasLimit: true}}},
		&MsgClose{SubID: "s"},
		&MsgOK{EventID: ev.ID, Accepted: true, Reason: ""},
		&MsgOK{EventID: ev.ID, Accepted: false, Reason: "pow: difficulty 3 is less than 8"},
		&MsgEOSE{SubID: "s"},
		&MsgClosed{SubID: "s", Reason: "error: shutting down"},
		&MsgNotice{Message: "unknown verb \"AUTH\""},
		&MsgHello{Network: "test", Genesis: chain.TestNet.GenesisHash(), Tip: h1, Height: 7, Work: new(big.Int).Lsh(big.NewInt(3), 200), Agent: "postwork/test", Version: ProtocolVersion},
		&MsgHello{Network: "test", Genesis: chain.TestNet.GenesisHash(), Tip: h1, Work: big.NewInt(1), Version: ProtocolVersion, Nonce: 0xfedcba9876543210},
		&MsgTip{Header: blk.Header, Work: work(12345)},
		&MsgGetHeaders{Locator: []chain.Hash{h1, h2}, Stop: h2, Max: 10},
		&MsgGetHeaders{Locator: []chain.Hash{}},
		&MsgHeaders{Headers: hdrs},
		&MsgHeaders{},
		&MsgGetBlocks{Hashes: []chain.Hash{h1, h2}},
		&MsgBlock{Block: blk},
		&MsgNotFound{Hashes: []chain.Hash{h2}},
	}
	for _, m := range msgs {
		t.Run(m.Verb(), func(t *testing.T) {
			got := roundTrip(t, m)
			switch m := m.(type) {
			case *MsgEvent:
				g := got.(*MsgEvent)
				if g.SubID != m.SubID || g.Event.ID != m.Event.ID || g.Event.Content != m.Event.Content || g.Event.Sig != m.Event.Sig {
					t.Errorf("event changed: %+v", g)
				}
			case *MsgBlock:
				if got.(*MsgBlock).Block.Hash() != m.Block.Hash() {
					t.Error("block hash changed")
				}
			case *MsgHeaders:
				if len(got.(*MsgHeaders).Headers) != len(m.Headers) {
					t.Error("header count changed")
				}
			case *MsgHello:
				if g := got.(*MsgHello); g.Nonce != m.Nonce || g.Agent != m.Agent || g.Work.Cmp(m.Work) != 0 {
					t.Errorf("hello changed: %+v", g)
				}
			case *MsgGetHeaders:
				if m.Max == 0 && got.(*MsgGetHeaders).Max != 0 {
					t.Errorf("absent max read as %d, want 0 (the default)", got.(*MsgGetHeaders).Max)
				}
			}
		})
	}
}

// Exact frames: what other implementations (browsers, nostr-tools) see.
func TestFrameBytes(t *testing.T) {
	var id [32]byte
	id[0] = 0xab
	idHex := hex.EncodeToString(id[:])
	g := chain.TestNet.Genesis().Header
	gh := g.Hash()
	tests := []struct {
		m    Message
		want string
	}{
		{&MsgOK{EventID: id, Accepted: false, Reason: "invalid: bad signature"}, `["OK","` + idHex + `",false,"invalid: bad signature"]`},
		{&MsgEOSE{SubID: "a\"b"}, `["EOSE","a\"b"]`},
		{&MsgClosed{SubID: "x", Reason: "rate-limited: slow down"}, `["CLOSED","x","rate-limited: slow down"]`},
		{&MsgNotice{Message: "tab\there\x01"}, `["NOTICE","tab\there\u0001"]`},
		{&MsgClose{SubID: "x"}, `["CLOSE","x"]`},
		{&MsgGetBlocks{Hashes: []chain.Hash{gh}}, `["GETBLOCKS",["` + gh.String() + `"]]`},
		{&MsgGetHeaders{Locator: []chain.Hash{gh}}, `["GETHEADERS",{"locator":["` + gh.String() + `"]}]`},
		{&MsgHello{Network: "test", Genesis: gh, Tip: gh, Work: big.NewInt(255), Agent: "a", Version: 1},
			`["HELLO",{"network":"test","genesis":"` + gh.String() + `","tip":"` + gh.String() + `","height":0,"work":"ff","agent":"a","version":1}]`},
		{&MsgHello{Network: "test", Genesis: gh, Tip: gh, Work: big.NewInt(255), Version: 1, Nonce: 0x00000000000000ab},
			`["HELLO",{"network":"test","genesis":"` + gh.String() + `","tip":"` + gh.String() + `","height":0,"work":"ff","agent":"","version":1,"nonce":"00000000000000ab"}]`},
		{&MsgReq{SubID: "s", Filters: []Filter{{Kinds: []int{1}, Tags: map[string][]string{"t": {"x"}}, HasLimit: true, Limit: 20}}}, `["REQ","s",{"kinds":[1],"#t":["x"],"limit":20}]`},
	}
	for _, tt := range tests {
		if got := string(Encode(tt.m)); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.m.Verb(), got, tt.want)
		}
	}
}

// Frames as other clients write them: whitespace, key order, escapes.
func TestParseForeignForms(t *testing.T) {
	ev := signed(t, 3, "hi", 1700000000)
	evJSON := string(ev.AppendJSON(nil))
	m, err := Parse([]byte(" [ \"EVENT\" ,\n" + evJSON + " ] \n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.(*MsgEvent).Event.ID != ev.ID {
		t.Error("wrong event")
	}
	m, err = Parse([]byte(`["REQ","sub",{"limit":5,"authors":["` + hex.EncodeToString(ev.PubKey[:]) + `"]},{"#p":[]}]`))
	if err != nil {
		t.Fatal(err)
	}
	req := m.(*MsgReq)
	if len(req.Filters) != 2 || req.Filters[0].Limit != 5 || !req.Filters[0].HasLimit || req.Filters[0].Authors[0] != ev.PubKey {
		t.Errorf("req parsed as %+v", req)
	}
	// Block in a frame spaced out: the general path.
	blk := testBlock(t, ev)
	frame := Encode(&MsgBlock{Block: blk})
	spaced := append([]byte("[ "), frame[1:]...)
	m, err = Parse(spaced)
	if err != nil {
		t.Fatal(err)
	}
	if m.(*MsgBlock).Block.Hash() != blk.Hash() {
		t.Error("block changed")
	}
}

func TestParseRejects(t *testing.T) {
	ev := signed(t, 4, "x", 1700000000)
	evJSON := string(ev.AppendJSON(nil))
	badSig := strings.Replace(evJSON, `"sig":"`, `"sig":"0`, 1)
	badSig = strings.Replace(badSig, `0`+hex.EncodeToString(ev.Sig[:]), hex.EncodeToString(ev.Sig[:])[:127]+`0x`, 1)
	hash := strings.Repeat("00", 32)
	tests := []struct {
		name  string
		frame string
		err   error
		sub   string // expected ParseError.SubID
		id    bool   // expected HasID
		msg   string // substring of the message
	}{
		{"empty", ``, ErrMalformed, "", false, "json array"},
		{"object", `{"EVENT":1}`, ErrMalformed, "", false, "json array"},
		{"number verb", `[1]`, ErrMalformed, "", false, "json array"},
		{"unknown verb", `["AUTH","challenge"]`, ErrUnknownVerb, "", false, `"AUTH"`},
		{"lower-case verb", `["event",{}]`, ErrUnknownVerb, "", false, `"event"`},
		{"trailing garbage", `["CLOSE","x"]x`, ErrMalformed, "", false, "CLOSE"},
		{"two arrays", `["CLOSE","x"]["CLOSE","y"]`, ErrMalformed, "", false, "CLOSE"},
		{"unterminated", `["CLOSE","x"`, ErrMalformed, "", false, "CLOSE"},
		{"invalid utf-8", "[\"NOTICE\",\"\xff\"]", ErrMalformed, "", false, "utf-8"},
		{"event missing", `["EVENT"]`, ErrMalformed, "", false, "elements"},
		{"event not object", `["EVENT","x"]`, nostr.ErrMalformed, "", false, ""},
		{"event bad sig hex keeps id", `["EVENT",` + badSig + `]`, nostr.ErrMalformed, "", true, "sig"},
		{"event three items", `["EVENT","s",` + evJSON + `,1]`, ErrMalformed, "", false, "elements"},
		{"req no filters", `["REQ","s"]`, ErrMalformed, "s", false, "no filters"},
		{"req empty sub", `["REQ","",{}]`, ErrMalformed, "", false, "empty"},
		{"req long sub", `["REQ","` + strings.Repeat("x", 65) + `",{}]`, ErrMalformed, "", false, "limit 64"},
		{"req bad filter keeps sub", `["REQ","s",{"ids":["abc"]}]`, ErrMalformed, "s", false, "64 lower-case hex"},
		{"req upper-case id", `["REQ","s",{"ids":["` + strings.Repeat("AB", 32) + `"]}]`, ErrMalformed, "s", false, "hex"},
		{"req duplicate key", `["REQ","s",{"kinds":[1],"kinds":[2]}]`, ErrMalformed, "s", false, "twice"},
		{"req unknown key", `["REQ","s",{"search":"x"}]`, ErrMalformed, "s", false, "unsupported"},
		{"req tag key two letters", `["REQ","s",{"#ee":["x"]}]`, ErrMalformed, "s", false, "unsupported"},
		{"req negative limit", `["REQ","s",{"limit":-1}]`, ErrMalformed, "s", false, "integer"},
		{"req float since", `["REQ","s",{"since":1.5}]`, ErrMalformed, "s", false, "integer"},
		{"req kind too big", `["REQ","s",{"kinds":[65536]}]`, ErrMalformed, "s", false, "65535"},
		{"req too many filters", `["REQ","s"` + strings.Repeat(`,{}`, MaxFiltersPerReq+1) + `]`, ErrMalformed, "", false, "elements"},
		{"req too many ids", `["REQ","s",{"ids":[` + strings.TrimSuffix(strings.Repeat(`"`+hash+`",`, MaxFilterValues+1), ",") + `]}]`, ErrMalformed, "s", false, "more than 500"},
		{"ok bad bool", `["OK","` + hash + `","true",""]`, ErrMalformed, "", false, "boolean"},
		{"hello wrong type", `["HELLO",[]]`, ErrMalformed, "", false, "object"},
		{"hello missing keys", `["HELLO",{"network":"test"}]`, ErrMalformed, "", false, "want keys"},
		{"hello unknown key", `["HELLO",{"colour":"red"}]`, ErrMalformed, "", false, "unknown key"},
		{"hello work leading zero", `["HELLO",{"network":"test","genesis":"` + hash + `","tip":"` + hash + `","height":1,"work":"0f","version":1}]`, ErrMalformed, "", false, "leading zeros"},
		{"hello short nonce", `["HELLO",{"network":"test","genesis":"` + hash + `","tip":"` + hash + `","height":1,"work":"f","version":1,"nonce":"abc"}]`, ErrMalformed, "", false, "16 hex"},
		{"hello upper-case nonce", `["HELLO",{"network":"test","genesis":"` + hash + `","tip":"` + hash + `","height":1,"work":"f","version":1,"nonce":"00000000000000AB"}]`, ErrMalformed, "", false, "lower-case"},
		{"hello zero nonce", `["HELLO",{"network":"test","genesis":"` + hash + `","tip":"` + hash + `","height":1,"work":"f","version":1,"nonce":"0000000000000000"}]`, ErrMalformed, "", false, "zero nonce"},
		{"hello number nonce", `["HELLO",{"network":"test","genesis":"` + hash + `","tip":"` + hash + `","height":1,"work":"f","version":1,"nonce":171}]`, ErrMalformed, "", false, "not a string"},
		{"tip mismatched hash", `["TIP",{"hash":"` + hash + `","height":0,"work":"1","header":"` + strings.Repeat("A", 128) + `"}]`, ErrMalformed, "", false, "does not match"},
		{"getheaders max too big", `["GETHEADERS",{"locator":[],"max":2001}]`, ErrMalformed, "", false, "2000"},
		{"getheaders no locator", `["GETHEADERS",{"max":1}]`, ErrMalformed, "", false, "locator"},
		{"headers not whole", `["HEADERS","AAAA"]`, ErrMalformed, "", false, "whole number"},
		{"headers bad base64", `["HEADERS","!!!!"]`, ErrMalformed, "", false, "base64"},
		{"getblocks empty", `["GETBLOCKS",[]]`, ErrMalformed, "", false, "empty"},
		{"getblocks too many", `["GETBLOCKS",[` + strings.TrimSuffix(strings.Repeat(`"`+hash+`",`, 17), ",") + `]]`, ErrTooLarge, "", false, "limit"},
		{"getblocks too many, small", `["GETBLOCKS",[` + strings.Repeat(`"`+hash+`",`, 16) + `1]]`, ErrMalformed, "", false, "more than 16"},
		{"block garbage", `["BLOCK","AAAA"]`, ErrMalformed, "", false, "block"},
		{"block short", `["BLOCK","]`, ErrMalformed, "", false, "BLOCK"},
		{"notice too large", `["NOTICE","` + strings.Repeat("x", MaxNoticeMsgSize) + `"]`, ErrTooLarge, "", false, "limit"},
		{"frame too large", `["BLOCK","` + strings.Repeat("A", MaxFrameSize) + `"]`, ErrTooLarge, "", false, "limit"},
		{"event too large", `["EVENT","` + strings.Repeat("x", MaxEventMsgSize) + `"]`, ErrTooLarge, "", false, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.frame))
			if err == nil {
				t.Fatalf("accepted %T %+v", m, m)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want one wrapping %v", err, tt.err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.SubID != tt.sub {
				t.Errorf("SubID %q, want %q", pe.SubID, tt.sub)
			}
			if pe.HasID != tt.id {
				t.Errorf("HasID %v, want %v", pe.HasID, tt.id)
			}
			if tt.id && pe.EventID != ev.ID {
				t.Errorf("EventID %x, want %x", pe.EventID, ev.ID)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not say %q", err, tt.msg)
			}
		})
	}
}

// A truncated frame of every verb is refused, never accepted or panicking.
func TestParseTruncated(t *testing.T) {
	ev := signed(t, 5, "truncate me", 1700000000)
	blk := testBlock(t, ev)
	frames := [][]byte{
		Encode(&MsgEvent{Event: ev}),
		Encode(&MsgReq{SubID: "s", Filters: []Filter{{Kinds: []int{1}}}}),
		Encode(&MsgHello{Network: "test", Work: big.NewInt(1), Version: 1}),
		Encode(&MsgTip{Header: blk.Header, Work: big.NewInt(1)}),
		Encode(&MsgHeaders{Headers: []chain.Header{blk.Header}}),
		Encode(&MsgBlock{Block: blk}),
	}
	for _, f := range frames {
		for n := 0; n < len(f); n++ {
			if m, err := Parse(f[:n]); err == nil {
				t.Fatalf("accepted %d of %d bytes of %.40s: %T", n, len(f), f, m)
			}
		}
	}
}

func TestLimitsFit(t *testing.T) {
	// The largest messages of each kind fit their verb's limit.
	var hashes []chain.Hash
	for i := 0; i < MaxBlocksPerMsg; i++ {
		hashes = append(hashes, chain.Hash{byte(i)})
	}
	loc := make([]chain.Hash, chain.MaxLocatorHashes)
	hdrs := make([]chain.Header, MaxHeadersPerMsg)
	long := strings.Repeat("\x01", MaxReasonLength) // escapes to six bytes each
	var id [32]byte
	for _, m := range []Message{
		&MsgGetBlocks{Hashes: hashes},
		&MsgNotFound{Hashes: hashes},
		&MsgGetHeaders{Locator: loc, Stop: chain.Hash{1}, Max: MaxHeadersPerMsg},
		&MsgHeaders{Headers: hdrs},
		&MsgOK{EventID: id, Reason: long},
		&MsgClosed{SubID: strings.Repeat("\x01", MaxSubIDLength), Reason: long},
		&MsgNotice{Message: long},
		&MsgHello{Network: strings.Repeat("\x01", MaxNetworkLength), Work: new(big.Int).Lsh(big.NewInt(1), 319), Height: 1 << 62, Agent: strings.Repeat("\x01", MaxAgentLength), Version: 1 << 30, Nonce: 1<<64 - 1},
	} {
		if n, max := len(Encode(m)), MaxSize(m.Verb()); n > max {
			t.Errorf("largest %s is %d bytes, limit %d", m.Verb(), n, max)
		}
	}
	if MaxMessageSize < MaxHeadersMsgSize || MaxMessageSize < MaxReqMsgSize || MaxMessageSize < MaxEventMsgSize {
		t.Error("MaxMessageSize is below a verb other than BLOCK")
	}
	if MaxBlockMsgSize < (chain.MaxBlockSize*4+2)/3 {
		t.Error("a largest block does not fit MaxBlockMsgSize")
	}
}

func TestReasonTruncatedAtCharacter(t *testing.T) {
	r := strings.Repeat("é", MaxReasonLength) // two bytes each
	m, err := Parse(Encode(&MsgNotice{Message: "x" + r}))
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*MsgNotice).Message
	if len(got) > MaxReasonLength || !strings.HasPrefix("x"+r, got) {
		t.Errorf("truncated to %d bytes, not a prefix", len(got))
	}
}

func ExampleParse() {
	m, err := Parse([]byte(`["REQ","feed",{"kinds":[1],"#t":["postwork"],"limit":20}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := m.(*MsgReq)
	fmt.Println(req.SubID, req.Filters[0].String())
	_, err = Parse([]byte(`["REQ","feed",{"kinds":["1"]}]`))
	fmt.Println(err)
	// Output:
	// feed {"kinds":[1],"#t":["postwork"],"limit":20}
	// REQ: filter 0: "kinds": element 0: not a plain non-negative integer
}
