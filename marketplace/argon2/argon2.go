// Package argon2 hashes passwords with Argon2id, in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so that the parameters can be raised
// later without invalidating stored hashes.
//
// It imports only the domain (for marketplace.PasswordHasher) and argon2id:
// no adapter.
package argon2

import (
	"fmt"

	"github.com/alexedwards/argon2id"

	"cooptrade/marketplace"
)

var _ marketplace.PasswordHasher = (*Hasher)(nil)

// DefaultParams are OWASP's recommended minimum for Argon2id: 19 MiB of
// memory, two passes, one lane.
var DefaultParams = argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hasher hashes and checks passwords. The zero value uses DefaultParams.
type Hasher struct {
	Params *argon2id.Params
}

// Hash implements marketplace.PasswordHasher.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.Params
	if p == nil {
		p = &DefaultParams
	}
	hash, err := argon2id.CreateHash(password, p)
	if err != nil {
		return "", fmt.Errorf("argon2: hash: %w", err)
	}
	return hash, nil
}

// Compare implements marketplace.PasswordHasher. A hash that is not in the
// expected format is an error, not a mismatch.
func (h *Hasher) Compare(password, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("argon2: compare: %w", err)
	}
	return ok, nil
}
