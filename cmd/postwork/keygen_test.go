package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postwork/chain/nostr"
)

// npubOfNsec decodes an nsec and returns the npub of its key.
func npubOfNsec(t *testing.T, nsec string) string {
	t.Helper()
	secret, err := nostr.DecodeNsec(nsec)
	if err != nil {
		t.Fatalf("DecodeNsec(%q): %v", nsec, err)
	}
	sk, err := nostr.PrivateKeyFromBytes(secret)
	if err != nil {
		t.Fatalf("secret from %q: %v", nsec, err)
	}
	return nostr.EncodeNpub(nostr.PublicKey(sk))
}

// checkKeyFile checks that path has mode 0600 and holds one nsec line whose
// key has the given npub.
func checkKeyFile(t *testing.T, path, npub string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("%s has mode %#o, want 0600", path, perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nsec, ok := strings.CutSuffix(string(data), "\n")
	if !ok || strings.Contains(nsec, "\n") || !strings.HasPrefix(nsec, "nsec1") {
		t.Fatalf("%s holds %q, want one nsec1... line", path, data)
	}
	if got := npubOfNsec(t, nsec); got != npub {
		t.Errorf("the nsec in %s is the key of %s, but keygen printed %s", path, got, npub)
	}
}

func TestKeygenOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.nsec")
	code, stdout, stderr := runCmd(t, "", "keygen", "--out", path)
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	npub, ok := strings.CutSuffix(stdout, "\n")
	if !ok || !strings.HasPrefix(npub, "npub1") || strings.ContainsAny(npub, " \n") {
		t.Fatalf("stdout = %q, want exactly one npub1... line", stdout)
	}
	checkKeyFile(t, path, npub)
}

func TestKeygenRefusesOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.nsec")
	if err := os.WriteFile(path, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "", "keygen", "--out", path)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if stdout != "" {
		t.Errorf("stdout = %q; an npub whose nsec was not saved must not be printed", stdout)
	}
	if !strings.Contains(stderr, "refusing to overwrite") || !strings.Contains(stderr, "--force") {
		t.Errorf("stderr = %q, want it to refuse and mention --force", stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != "precious\n" {
		t.Errorf("existing file changed to %q", data)
	}
}

func TestKeygenForceReplacesWithPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.nsec")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "", "keygen", "--out", path, "--force")
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	checkKeyFile(t, path, strings.TrimSpace(stdout))
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after --force, want only the key file", len(entries))
	}
}

func TestKeygenStdout(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "keygen")
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "npub npub1") || !strings.HasPrefix(lines[1], "nsec nsec1") {
		t.Fatalf("stdout = %q, want an \"npub npub1...\" and an \"nsec nsec1...\" line", stdout)
	}
	npub, nsec := strings.TrimPrefix(lines[0], "npub "), strings.TrimPrefix(lines[1], "nsec ")
	if got := npubOfNsec(t, nsec); got != npub {
		t.Errorf("printed nsec is the key of %s, printed npub is %s", got, npub)
	}

	_, again, _ := runCmd(t, "", "keygen")
	if again == stdout {
		t.Error("two runs of keygen printed the same key")
	}
}

func TestKeygenForceNeedsOut(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "keygen", "--force")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "--force needs --out") {
		t.Errorf("got exit %d, stdout %q, stderr %q; want exit 2 and a usage error", code, stdout, stderr)
	}
}
