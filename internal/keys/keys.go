// Package keys holds the master key of a deployment and what is derived from
// it: envelope encryption of secrets at rest (AES-256-GCM) and the key that
// seals the audit chain. The master key never enters the database.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Size is the length of a master key in bytes.
const Size = 32

// Keyring derives purpose keys from a master key.
type Keyring struct {
	aead  cipher.AEAD
	audit []byte
	role  []byte
	check string
}

// New makes a keyring from a 32-byte master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != Size {
		return nil, fmt.Errorf("keys: the master key must be %d bytes, got %d", Size, len(master))
	}
	block, err := aes.NewCipher(derive(master, "atrium/secrets/v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keyring{
		aead:  aead,
		audit: derive(master, "atrium/audit-head/v1"),
		role:  derive(master, "atrium/role-names/v1"),
		check: base64.RawStdEncoding.EncodeToString(derive(master, "atrium/check/v1")),
	}, nil
}

func derive(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// AuditKey is the key that seals the head of the audit chain.
func (k *Keyring) AuditKey() []byte { return k.audit }

// RoleKey is the key of the hash that makes the names of provisioned
// roles unique and stable without revealing which instance made them.
func (k *Keyring) RoleKey() []byte { return k.role }

// Check is a value that identifies the master key without revealing it; a
// database records it so that a node with another key refuses to start.
func (k *Keyring) Check() string { return k.check }

// Seal encrypts plaintext, binding it to aad (e.g. the row's id).
func (k *Keyring) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		panic("keys: reading randomness: " + err.Error())
	}
	return k.aead.Seal(nonce, nonce, plaintext, aad)
}

// Open decrypts what Seal made with the same aad.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errors.New("keys: sealed value too short")
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errors.New("keys: sealed value does not open with this master key")
	}
	return out, nil
}

// Load returns the master key: from env (base64) when set, else from the
// file at path, creating that file (mode 0600) with a new random key when it
// does not exist.
func Load(env, path string) ([]byte, error) {
	if env != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil || len(b) != Size {
			return nil, fmt.Errorf("keys: the master key must be %d bytes in base64", Size)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != Size {
			return nil, fmt.Errorf("keys: %s does not hold a %d-byte base64 key", path, Size)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, Size)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) { // another process made it first
			return Load("", path)
		}
		return nil, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}
