package argon2_test

import (
	"strings"
	"testing"

	"cooptrade/marketplace/argon2"
)

func TestHasher(t *testing.T) {
	var h argon2.Hasher
	hash, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an Argon2id PHC string with the default parameters", hash)
	}
	t.Run("OK", func(t *testing.T) {
		if ok, err := h.Compare("correct horse battery staple", hash); err != nil || !ok {
			t.Fatalf("Compare(right password) = %v, %v; want true", ok, err)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		if ok, err := h.Compare("correct horse battery stapler", hash); err != nil || ok {
			t.Fatalf("Compare(wrong password) = %v, %v; want false", ok, err)
		}
	})
	t.Run("SaltedEachTime", func(t *testing.T) {
		again, err := h.Hash("correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		if again == hash {
			t.Fatal("two hashes of one password are equal; the salt is not random")
		}
	})
	t.Run("ErrMalformedHash", func(t *testing.T) {
		if _, err := h.Compare("x", "not a hash"); err == nil {
			t.Fatal("Compare with a malformed hash returned no error")
		}
	})
}
