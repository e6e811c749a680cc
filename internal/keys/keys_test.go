package keys

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func mustNew(t *testing.T, b byte) *Keyring {
	t.Helper()
	k, err := New(bytes.Repeat([]byte{b}, Size))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := mustNew(t, 1)
	sealed := k.Seal([]byte("secret"), []byte("AKIA1"))
	if bytes.Contains(sealed, []byte("secret")) {
		t.Fatal("the sealed value holds the plaintext")
	}
	if got, err := k.Open(sealed, []byte("AKIA1")); err != nil || string(got) != "secret" {
		t.Fatalf("Open = %q, %v; want secret", got, err)
	}
	if _, err := k.Open(sealed, []byte("AKIA2")); err == nil {
		t.Error("Open with another row's id succeeded")
	}
	if _, err := mustNew(t, 2).Open(sealed, []byte("AKIA1")); err == nil {
		t.Error("Open with another master key succeeded")
	}
	if _, err := k.Open(sealed[:5], nil); err == nil {
		t.Error("Open of a truncated value succeeded")
	}
	if bytes.Equal(k.Seal([]byte("x"), nil), k.Seal([]byte("x"), nil)) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if k.Check() == mustNew(t, 2).Check() || bytes.Equal(k.AuditKey(), mustNew(t, 2).AuditKey()) {
		t.Error("derived keys do not depend on the master key")
	}
	if _, err := New(make([]byte, 16)); err == nil {
		t.Error("New accepted a 16-byte key")
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	k1, err := Load("", path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v (%v), want 0600", st.Mode().Perm(), err)
	}
	k2, err := Load("", path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second Load = %x, %v; want the same key", k2, err)
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, Size))
	if k, err := Load(env, path); err != nil || !bytes.Equal(k, bytes.Repeat([]byte{7}, Size)) {
		t.Errorf("Load from the environment = %x, %v", k, err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := Load(bad, path); err == nil {
			t.Errorf("Load(%q) accepted a bad key", bad)
		}
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("", path); err == nil {
		t.Error("Load accepted a corrupt key file")
	}
}
