package marketplace_test

import (
	"strings"
	"testing"

	"cooptrade/marketplace"
)

// FuzzUnsubscribeToken: a token made here reads back as what it was made
// of; anything else, and any change to a token, is refused as EINVALID
// naming the token, never taken and never a crash.
func FuzzUnsubscribeToken(f *testing.F) {
	secret := []byte("the service's secret key, 32 bytes+")
	f.Add("6650b2f4c1a9e43d2f0a1b99", "alert:6650b2f4c1a9e43d2f0a1b98", "", 0)
	f.Add("", "", "x.y", 3)
	f.Add("u\nser", "sub\nject", "..", 10)
	f.Add("6650b2f4c1a9e43d2f0a1b99", "type:match.new", "bm90IGEgdG9rZW4.AAAA", 40)
	f.Fuzz(func(t *testing.T, userID, subject, other string, flip int) {
		// User IDs hold no line break: they are IDs.
		userID = strings.ReplaceAll(userID, "\n", "")
		token := marketplace.UnsubscribeToken(secret, userID, subject)
		u, s, err := marketplace.ParseUnsubscribeToken(secret, token)
		switch {
		case len(token) > 512:
			// Longer than any link the service makes: refused.
			if err == nil {
				t.Fatalf("a token of %d bytes was taken", len(token))
			}
		case err != nil || u != userID || s != subject:
			t.Fatalf("a token of %q %q reads back as %q %q, %v", userID, subject, u, s, err)
		}
		// One byte changed: refused.
		if len(token) > 0 {
			b := []byte(token)
			i := flip % len(b)
			if i < 0 {
				i = -i
			}
			b[i] ^= 0x01
			if _, _, err := marketplace.ParseUnsubscribeToken(secret, string(b)); err == nil && string(b) != token {
				u2, s2, _ := marketplace.ParseUnsubscribeToken(secret, string(b))
				if u2 != userID || s2 != subject {
					t.Fatalf("a changed token %q was taken as %q %q", b, u2, s2)
				}
			}
		}
		if _, _, err := marketplace.ParseUnsubscribeToken(secret, other); err != nil {
			if marketplace.ErrorCode(err) != marketplace.EINVALID || marketplace.ErrorFields(err)[0].Field != "token" {
				t.Fatalf("%q refused as %v", other, err)
			}
		}
	})
}
