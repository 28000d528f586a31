package lightnode

import (
	"strings"
	"testing"
)

func TestParseInfo(t *testing.T) {
	info, err := ParseInfo([]byte(`{"name":"x","supported_nips":[1,11,13],"limitation":{"min_pow_difficulty":12},"postwork":{"network":"dev","genesis":"00ab"}}`))
	if err != nil || info.Network != "dev" || info.Genesis != "00ab" || info.MinPoW != 12 {
		t.Fatalf("got %+v, %v", info, err)
	}
	if info, err := ParseInfo([]byte(`{"name":"plain nostr relay"}`)); err != nil || info.Network != "" {
		t.Fatalf("plain relay: %+v, %v", info, err)
	}
	for _, bad := range []string{`{`, `[]`, `{"limitation":{"min_pow_difficulty":-1}}`, `{"limitation":{"min_pow_difficulty":300}}`, `{"postwork":{"network":5}}`} {
		if _, err := ParseInfo([]byte(bad)); err == nil {
			t.Errorf("ParseInfo(%s) accepted", bad)
		}
	}
	if _, err := ParseInfo([]byte(`{"description":"` + strings.Repeat("a", MaxInfoSize) + `"}`)); err == nil {
		t.Error("oversize document accepted")
	}
}

func TestInfoURL(t *testing.T) {
	for in, want := range map[string]string{
		"ws://127.0.0.1:8080/ws":     "http://127.0.0.1:8080/ws",
		"wss://relay.example/ws?x=1": "https://relay.example/ws?x=1",
	} {
		if got, err := InfoURL(in); err != nil || got != want {
			t.Errorf("InfoURL(%s) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"http://x/ws", "javascript:alert(1)", "::"} {
		if _, err := InfoURL(bad); err == nil {
			t.Errorf("InfoURL(%s) accepted", bad)
		}
	}
}

func FuzzParseInfo(f *testing.F) {
	f.Add([]byte(`{"limitation":{"min_pow_difficulty":8},"postwork":{"network":"dev","genesis":"00"}}`))
	f.Add([]byte(`{"postwork":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseInfo(b)
		if err == nil && (info.MinPoW < 0 || info.MinPoW > 256) {
			t.Fatalf("min pow %d accepted", info.MinPoW)
		}
	})
}
