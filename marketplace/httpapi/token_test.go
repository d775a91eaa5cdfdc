package httpapi_test

import (
	"strings"
	"testing"

	"cooptrade/marketplace"
)

// tokensScenario makes, lists and revokes personal tokens on the contract.
func tokensScenario(t *testing.T, c *contract, staff string) {
	t.Helper()
	ts := c.ts
	_, owner := ts.memberWithOwner(t, staff, "Token Keepers", marketplace.StandingActive)
	_, other := ts.memberWithOwner(t, staff, "Other Token Keepers", marketplace.StandingActive)

	var made struct {
		Token string
		Info  marketplace.Token
	}
	res := c.do(t, "POST", "/v1/me/tokens", owner, map[string]any{"name": "stock sync script"}).must(t, 201)
	res.decode(t, &made)
	if !strings.HasPrefix(made.Token, marketplace.TokenPrefix) || !made.Info.Personal || made.Info.Name != "stock sync script" || !strings.HasPrefix(made.Token, made.Info.Prefix) {
		t.Fatalf("made %+v", made)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q; want no-store", cc)
	}
	c.do(t, "GET", "/v1/me", made.Token, nil).must(t, 200)
	wantProblemFields(t, c.do(t, "POST", "/v1/me/tokens", owner, map[string]any{"name": ""}).must(t, 400), "name")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/me/tokens", owner, map[string]any{"name": strings.Repeat("n", 61)}).must(t, 400), "name")
	c.doBreaking(t, "POST", "/v1/me/tokens", owner, map[string]any{"name": map[string]any{"$gt": ""}}).must(t, 400)

	var list struct{ Items []marketplace.Token }
	c.do(t, "GET", "/v1/me/tokens", owner, nil).must(t, 200).decode(t, &list)
	personal := 0
	for _, tok := range list.Items {
		if tok.Personal && tok.Hash == made.Info.Hash {
			personal++
		}
	}
	if len(list.Items) != 2 || personal != 1 || strings.Contains(string(c.do(t, "GET", "/v1/me/tokens", owner, nil).Body), made.Token) {
		t.Fatalf("the list %+v; want the personal token and the sign-in's, and no secret", list.Items)
	}

	// Another user's token is not theirs to revoke.
	c.do(t, "DELETE", "/v1/me/tokens/"+made.Info.Hash, other, nil).must(t, 404)
	c.do(t, "GET", "/v1/me", made.Token, nil).must(t, 200)
	c.do(t, "DELETE", "/v1/me/tokens/"+made.Info.Hash, owner, nil).must(t, 204)
	c.do(t, "GET", "/v1/me", made.Token, nil).must(t, 401)
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 200)
	c.do(t, "DELETE", "/v1/me/tokens/"+made.Info.Hash, owner, nil).must(t, 404)
}
