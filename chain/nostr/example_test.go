package nostr_test

import (
	"context"
	"encoding/hex"
	"fmt"

	"postwork/chain/nostr"
)

// Sign a post, verify it, and show the author's npub.
func Example() {
	secret, _ := hex.DecodeString("1cf4469c146ca09479758b592ec41826e35e3ebbc127a568826a21d752d1abe7")
	sk, err := nostr.PrivateKeyFromBytes([32]byte(secret))
	if err != nil {
		panic(err)
	}
	e := &nostr.Event{CreatedAt: 1763700000, Kind: 1, Content: "hello world"}
	if err := e.Sign(sk); err != nil {
		panic(err)
	}
	fmt.Println("verify:", e.Verify())
	fmt.Printf("id: %x\n", e.ID)
	fmt.Println("author:", nostr.EncodeNpub(e.PubKey))

	// Tampering is caught.
	e.Content = "hello world!"
	fmt.Println("tampered:", e.Verify() != nil)
	// Output:
	// verify: <nil>
	// id: 37324c051bff86d123ce3e98ec019b8e2a6ba4da11630df564f6666f8d261d1c
	// author: npub13yeqy5h5ux60nmm9sjegx4hs9vclcp234te79llx3785nlhjw5rsegxflx
	// tampered: true
}

// Add NIP-13 work to a post before signing it.
func ExampleMinePoW() {
	secret, _ := hex.DecodeString("1cf4469c146ca09479758b592ec41826e35e3ebbc127a568826a21d752d1abe7")
	sk, _ := nostr.PrivateKeyFromBytes([32]byte(secret))
	e := &nostr.Event{CreatedAt: 1763700000, Kind: 1, Content: "worked for"}
	e.PubKey = nostr.PublicKey(sk) // the id commits to the author
	if err := nostr.MinePoW(context.Background(), e, 12, nil); err != nil {
		panic(err)
	}
	if err := e.Sign(sk); err != nil {
		panic(err)
	}
	target, _ := e.CommittedTarget()
	fmt.Println("verify:", e.Verify())
	fmt.Println("at least 12 bits:", e.PoW() >= 12, "target:", target)
	// Output:
	// verify: <nil>
	// at least 12 bits: true target: 12
}

// Parse errors name the field and the problem.
func ExampleParse() {
	_, err := nostr.Parse([]byte(`{"id":"00","kind":1}`))
	fmt.Println(err)
	_, err = nostr.Parse([]byte(`{"kind":01}`))
	fmt.Println(err)
	// Output:
	// id: want 64 hex characters, got 2
	// kind: leading zero
}
