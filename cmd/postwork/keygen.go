package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"postwork/chain/nostr"
)

func runKeygen(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlagSet("keygen", "postwork keygen [--out FILE [--force]]",
		`Creates a new secp256k1 key pair for signing posts and prints its public
key as an npub. With --out the secret key (nsec, one line) goes to FILE,
created readable by its owner only (mode 0600), and only the npub is printed;
without --out both are printed, as "npub ..." and "nsec ..." lines.`)
	out := flags.String("out", "", "write the nsec to `FILE` (mode 0600) instead of stdout")
	force := flags.Bool("force", false, "with --out, replace FILE if it exists")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 {
		return usageError(flags, stderr, "unexpected argument %q", flags.Arg(0))
	}
	if *force && *out == "" {
		return usageError(flags, stderr, "--force needs --out")
	}

	sk, err := nostr.GenerateKey()
	if err != nil {
		fmt.Fprintf(stderr, "postwork keygen: generate key: %v\n", err)
		return 1
	}
	npub := nostr.EncodeNpub(nostr.PublicKey(sk))
	var secret [32]byte
	copy(secret[:], sk.Serialize())
	nsec := nostr.EncodeNsec(secret)
	clear(secret[:])

	if *out == "" {
		fmt.Fprintf(stdout, "npub %s\nnsec %s\n", npub, nsec)
		return 0
	}
	if err := writeSecret(*out, nsec+"\n", *force); err != nil {
		fmt.Fprintf(stderr, "postwork keygen: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, npub)
	return 0
}

// writeSecret writes data to a new file at path with mode 0600 and syncs it.
// An existing file is an error unless replace is set; then data is written to
// a temporary 0600 file beside it and renamed over it, so the old file's mode
// (perhaps world-readable) is not inherited and a crash leaves either the old
// key or the new one, never half of one.
func writeSecret(path, data string, replace bool) error {
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists; refusing to overwrite it (use --force to replace it)", path)
		}
		if err != nil {
			return err
		}
		if err := writeSync(f, data); err != nil {
			os.Remove(path)
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".keygen-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := writeSync(f, data); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeSync writes data to f, flushes it to disk and closes f.
func writeSync(f *os.File, data string) error {
	_, err := f.WriteString(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
