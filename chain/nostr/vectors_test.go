package nostr

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// vectors is testdata/nostr-events.json, made with nostr-tools. Events stay
// raw so Parse sees the bytes the generator wrote.
type vectors struct {
	Generator string `json:"generator"`
	Valid     []struct {
		Event      json.RawMessage `json:"event"`
		Serialized string          `json:"serialized"`
	} `json:"valid"`
	Invalid []struct {
		Why   string          `json:"why"`
		Event json.RawMessage `json:"event"`
	} `json:"invalid"`
	PoW []struct {
		Event  json.RawMessage `json:"event"`
		Bits   int             `json:"bits"`
		Target int             `json:"target"`
	} `json:"pow"`
	Keys []struct {
		SecHex    string `json:"sec_hex"`
		PubHex    string `json:"pub_hex"`
		Nsec      string `json:"nsec"`
		Npub      string `json:"npub"`
		Ncryptsec string `json:"ncryptsec"`
		Password  string `json:"password"`
		LogN      int    `json:"log_n"`
	} `json:"keys"`
}

func loadVectors(t testing.TB) *vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/nostr-events.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Valid) == 0 || len(v.Invalid) == 0 || len(v.PoW) == 0 || len(v.Keys) == 0 {
		t.Fatalf("vector file has an empty section: %d valid, %d invalid, %d pow, %d keys",
			len(v.Valid), len(v.Invalid), len(v.PoW), len(v.Keys))
	}
	return &v
}

func TestVectorsValid(t *testing.T) {
	v := loadVectors(t)
	for i, tc := range v.Valid {
		e, err := Parse(tc.Event)
		if err != nil {
			t.Errorf("valid[%d]: Parse: %v", i, err)
			continue
		}
		if got := string(e.Serialize()); got != tc.Serialized {
			t.Errorf("valid[%d]: Serialize\n got %s\nwant %s", i, got, tc.Serialized)
		}
		// The id in the file is nostr-tools' hash of its own serialization.
		var claimed struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(tc.Event, &claimed); err != nil {
			t.Fatal(err)
		}
		if id := e.ComputeID(); hex.EncodeToString(id[:]) != claimed.ID {
			t.Errorf("valid[%d]: ComputeID %x, want %s", i, id, claimed.ID)
		}
		if err := e.Verify(); err != nil {
			t.Errorf("valid[%d]: Verify: %v", i, err)
		}
		js, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(js)
		if err != nil {
			t.Errorf("valid[%d]: Parse(MarshalJSON): %v\n%s", i, err, js)
			continue
		}
		if js2 := again.AppendJSON(nil); !bytes.Equal(js, js2) {
			t.Errorf("valid[%d]: MarshalJSON round trip changed\n%s\n%s", i, js, js2)
		}
		if err := again.Verify(); err != nil {
			t.Errorf("valid[%d]: Verify after round trip: %v", i, err)
		}
		// encoding/json must agree that MarshalJSON is JSON of the same event.
		var generic, original map[string]any
		if err := json.Unmarshal(js, &generic); err != nil {
			t.Errorf("valid[%d]: encoding/json rejects MarshalJSON output: %v", i, err)
		}
		if err := json.Unmarshal(tc.Event, &original); err != nil {
			t.Fatal(err)
		}
		if g, o := canonicalJSON(t, generic), canonicalJSON(t, original); g != o {
			t.Errorf("valid[%d]: MarshalJSON means %s, original means %s", i, g, o)
		}
	}
}

// canonicalJSON re-encodes a decoded value with sorted keys for comparison.
func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVectorsInvalid(t *testing.T) {
	v := loadVectors(t)
	for i, tc := range v.Invalid {
		e, err := Parse(tc.Event)
		stage := "Parse"
		if err == nil {
			stage = "Verify"
			err = e.Verify()
		}
		if err == nil {
			t.Errorf("invalid[%d] (%s): accepted", i, tc.Why)
			continue
		}
		known := false
		for _, s := range []error{ErrMalformed, ErrTooLarge, ErrBadID, ErrBadPubKey, ErrBadSig} {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Errorf("invalid[%d] (%s): %s error %v wraps no sentinel", i, tc.Why, stage, err)
		}
		t.Logf("invalid[%d] %-32q rejected by %s: %v", i, tc.Why, stage, err)
	}
}

// TestVectorsInvalidReasons pins the class of rejection for the tampering
// each vector describes, so a regression that rejects for the wrong reason
// (say, a parse error where a bad signature was meant) shows up.
func TestVectorsInvalidReasons(t *testing.T) {
	want := map[string]error{
		"content changed after signing":    ErrBadID,
		"created_at changed after signing": ErrBadID,
		"sig bit flipped":                  ErrBadSig,
		"id does not match content":        ErrBadID,
		"pubkey swapped":                   ErrBadID,
		"tag added after signing":          ErrBadID,
		"id uppercase hex":                 ErrMalformed,
		"sig too short":                    ErrMalformed,
		"pubkey not hex":                   ErrMalformed,
		"kind negative":                    ErrMalformed,
		"created_at fractional":            ErrMalformed,
		"tags not array of strings":        ErrMalformed,
	}
	v := loadVectors(t)
	for i, tc := range v.Invalid {
		w, ok := want[tc.Why]
		if !ok {
			t.Errorf("invalid[%d]: no expectation for %q; add one", i, tc.Why)
			continue
		}
		e, err := Parse(tc.Event)
		if err == nil {
			err = e.Verify()
		}
		if !errors.Is(err, w) {
			t.Errorf("invalid[%d] (%s): got %v, want %v", i, tc.Why, err, w)
		}
	}
}

func TestVectorsPoW(t *testing.T) {
	v := loadVectors(t)
	for i, tc := range v.PoW {
		e, err := Parse(tc.Event)
		if err != nil {
			t.Errorf("pow[%d]: Parse: %v", i, err)
			continue
		}
		if err := e.Verify(); err != nil {
			t.Errorf("pow[%d]: Verify: %v", i, err)
		}
		if got := LeadingZeroBits(e.ID); got != tc.Bits {
			t.Errorf("pow[%d]: LeadingZeroBits %d, want %d", i, got, tc.Bits)
		}
		if got := e.PoW(); got != tc.Bits {
			t.Errorf("pow[%d]: PoW %d, want %d", i, got, tc.Bits)
		}
		target, ok := e.CommittedTarget()
		if !ok || target != tc.Target {
			t.Errorf("pow[%d]: CommittedTarget %d %v, want %d", i, target, ok, tc.Target)
		}
		if e.PoW() < target {
			t.Errorf("pow[%d]: %d bits is below the committed target %d", i, e.PoW(), target)
		}
	}
}

func TestVectorsKeys(t *testing.T) {
	v := loadVectors(t)
	for i, tc := range v.Keys {
		sec, err := DecodeNsec(tc.Nsec)
		if err != nil {
			t.Errorf("keys[%d]: DecodeNsec: %v", i, err)
		} else if hex.EncodeToString(sec[:]) != tc.SecHex {
			t.Errorf("keys[%d]: nsec decodes to %x, want %s", i, sec, tc.SecHex)
		}
		pub, err := DecodeNpub(tc.Npub)
		if err != nil {
			t.Errorf("keys[%d]: DecodeNpub: %v", i, err)
		} else if hex.EncodeToString(pub[:]) != tc.PubHex {
			t.Errorf("keys[%d]: npub decodes to %x, want %s", i, pub, tc.PubHex)
		}
		if got := EncodeNsec(sec); got != tc.Nsec {
			t.Errorf("keys[%d]: EncodeNsec %s, want %s", i, got, tc.Nsec)
		}
		if got := EncodeNpub(pub); got != tc.Npub {
			t.Errorf("keys[%d]: EncodeNpub %s, want %s", i, got, tc.Npub)
		}
		sk, err := PrivateKeyFromBytes(mustHex32(t, tc.SecHex))
		if err != nil {
			t.Fatalf("keys[%d]: %v", i, err)
		}
		if got := PublicKey(sk); hex.EncodeToString(got[:]) != tc.PubHex {
			t.Errorf("keys[%d]: PublicKey %x, want %s", i, got, tc.PubHex)
		}
		if tc.LogN > MaxLogN {
			t.Errorf("keys[%d]: vector log_n %d above MaxLogN", i, tc.LogN)
		}
		dec, err := DecryptKey(tc.Ncryptsec, tc.Password)
		if err != nil {
			t.Errorf("keys[%d]: DecryptKey: %v", i, err)
		} else if hex.EncodeToString(dec[:]) != tc.SecHex {
			t.Errorf("keys[%d]: ncryptsec decrypts to %x, want %s", i, dec, tc.SecHex)
		}
	}
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var out [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad 32-byte hex %q: %v", s, err)
	}
	copy(out[:], b)
	return out
}
