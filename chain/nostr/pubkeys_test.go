package nostr

import (
	"sync"
	"testing"
)

func TestPubKeyCacheBoundedAndShared(t *testing.T) {
	var x [32]byte
	x[31] = 1 // x = 1 is on secp256k1 (1 + 7 = 8 is a square mod p)
	first, err := parsePubKey(x)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if again, err := parsePubKey(x); err != nil || again != first {
				t.Errorf("cached key: %p %v, want %p", again, err, first)
			}
		})
	}
	wg.Wait()
	// Fill past the bound with distinct valid x coordinates.
	n := 0
	for i := 2; n <= maxCachedPubKeys; i++ {
		var k [32]byte
		k[30], k[31] = byte(i>>8), byte(i)
		if _, err := parsePubKey(k); err == nil {
			n++
		}
	}
	pubKeys.Lock()
	size := len(pubKeys.m)
	pubKeys.Unlock()
	if size > maxCachedPubKeys {
		t.Fatalf("cache holds %d keys, bound %d", size, maxCachedPubKeys)
	}
	// Invalid keys are refused every time, never cached.
	var bad [32]byte
	bad[31] = 5 // 125 + 7 = 132 is not a square mod p
	for range 2 {
		if _, err := parsePubKey(bad); err == nil {
			t.Fatal("x = 5 parsed as a key")
		}
	}
}
