package nostr

import (
	"strings"
	"testing"
)

// benchEvent is a typical post: a reply with a few tags and a short text.
func benchEvent(b *testing.B) *Event {
	b.Helper()
	e := &Event{
		CreatedAt: 1763700037,
		Kind:      1,
		Tags: [][]string{
			{"e", strings.Repeat("8b", 32), "", "reply"},
			{"p", strings.Repeat("0e", 32)},
			{"t", "postwork"},
		},
		Content: "A post of ordinary length: a sentence or two, with \"quotes\", an émoji 🧱 and a line break\nhere.",
	}
	if err := e.Sign(testKey(b)); err != nil {
		b.Fatal(err)
	}
	return e
}

func perSecond(b *testing.B, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
}

// BenchmarkVerify is the Schnorr verify rate other parts of the system
// compare against (block validation, relay admission).
func BenchmarkVerify(b *testing.B) {
	e := benchEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Verify(); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, "verifies/s")
}

func BenchmarkCheckID(b *testing.B) {
	e := benchEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.CheckID(); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, "ids/s")
}

func BenchmarkSign(b *testing.B) {
	e := benchEvent(b)
	sk := testKey(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Sign(sk); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, "signs/s")
}

func benchParse(b *testing.B, e *Event) {
	data := e.AppendJSON(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, "events/s")
}

func BenchmarkParse(b *testing.B) { benchParse(b, benchEvent(b)) }

func BenchmarkParseLargeContent(b *testing.B) {
	e := benchEvent(b)
	e.Content = strings.ToValidUTF8(strings.Repeat("A longer post, with non-ASCII é 区块链 and escapes \"\n. ", 600)[:MaxContentSize-100], "")
	benchParse(b, e)
}

func BenchmarkAppendJSON(b *testing.B) {
	e := benchEvent(b)
	buf := make([]byte, 0, 1024)
	b.SetBytes(int64(len(e.AppendJSON(nil))))
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendJSON(buf[:0])
	}
}

func BenchmarkDecodeBinary(b *testing.B) {
	data := benchEvent(b).AppendBinary(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeBinary(data); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, "events/s")
}

func benchMine(b *testing.B, content string) {
	e := benchEvent(b)
	e.Content = content
	m, _, err := newPowMiner(e, 30)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		if id := m.hash(n); LeadingZeroBits(id) >= 256 {
			b.Fatal("impossible")
		}
		n++
	}
	perSecond(b, "tries/s")
}

// BenchmarkMinePoW measures the NIP-13 miner's tries per second on a typical
// post (one try = one id with a new nonce).
func BenchmarkMinePoW(b *testing.B) { benchMine(b, "A post of ordinary length, a sentence or two.") }

// BenchmarkMinePoWLongContent: content after the nonce is hashed on every try.
func BenchmarkMinePoWLongContent(b *testing.B) { benchMine(b, strings.Repeat("x", 2000)) }

// BenchmarkDecryptKey is NIP-49 decryption at the recommended log_n 16.
func BenchmarkDecryptKey(b *testing.B) {
	enc, err := EncryptKey(mustHex32(b, testSecHex), "password", 16, KeyUnknown)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecryptKey(enc, "password"); err != nil {
			b.Fatal(err)
		}
	}
}
