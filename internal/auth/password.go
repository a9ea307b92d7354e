package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/clientele/clientele/internal/directory"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended minimum for a server
// (19 MiB, two passes, one lane), about 20 ms a hash here.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Passwords is the argon2id directory.PasswordHasher, which the
// directory's password rules hash and check with.
var Passwords directory.PasswordHasher = argon2idHasher{}

type argon2idHasher struct{}

func (argon2idHasher) Hash(password string) (string, error) { return HashPassword(password) }
func (argon2idHasher) Verify(hash, password string) bool    { return VerifyPassword(hash, password) }

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, with the
// parameters recorded in the hash.
func VerifyPassword(hash, password string) bool {
	salt, key, memory, time, threads, err := parseHash(hash)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(key)))
	return equalHash(got, key)
}

func parseHash(hash string) (salt, key []byte, memory, time uint32, threads uint8, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, nil, 0, 0, 0, hashError("not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return nil, nil, 0, 0, 0, hashError("version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return nil, nil, 0, 0, 0, hashError("parameters %q", parts[3])
	}
	// Refuse absurd parameters rather than let a corrupt row exhaust memory.
	if memory < 1024 || memory > 256*1024 || time == 0 || time > 10 || threads == 0 || threads > 16 {
		return nil, nil, 0, 0, 0, hashError("parameters out of range")
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return nil, nil, 0, 0, 0, hashError("salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return nil, nil, 0, 0, 0, hashError("key")
	}
	return salt, key, memory, time, threads, nil
}
