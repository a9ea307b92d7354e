package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Sealer encrypts secrets kept at rest (identity providers' client secrets
// and tokens) with AES-256-GCM under the server's secret key; it
// implements directory.Sealer.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a key of 32 bytes, given in standard or
// URL-safe base64 (CLIENTELE_SECRET_KEY; make one with
// `openssl rand -base64 32`).
func NewSealer(key string) (*Sealer, error) {
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(key)
	}
	if err != nil || len(raw) != 32 {
		return nil, errors.New("the secret key must be 32 bytes in base64 (openssl rand -base64 32)")
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext with a random nonce: "v1." + base64(nonce|box).
func (s *Sealer) Seal(plaintext string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	box := s.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return "v1." + base64.RawURLEncoding.EncodeToString(box), nil
}

// Open decrypts what Seal made; it fails for another key or a changed box.
func (s *Sealer) Open(sealed string) (string, error) {
	if len(sealed) < 3 || sealed[:3] != "v1." {
		return "", errors.New("auth: not a sealed secret")
	}
	box, err := base64.RawURLEncoding.DecodeString(sealed[3:])
	if err != nil || len(box) < s.aead.NonceSize() {
		return "", errors.New("auth: malformed sealed secret")
	}
	plain, err := s.aead.Open(nil, box[:s.aead.NonceSize()], box[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("auth: opening a sealed secret (another CLIENTELE_SECRET_KEY?): %w", err)
	}
	return string(plain), nil
}
