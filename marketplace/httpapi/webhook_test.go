package httpapi_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
)

func TestWebhookAPI(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	m, owner := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	_, other := ts.memberWithOwner(t, staff, "Leeds Print Workers", marketplace.StandingActive)
	ts.addUser(t, m.ID, marketplace.NewUser{Email: "kit@chapeltown-kitchen.example", Password: "editor password 123", Role: marketplace.RoleEditor})
	editor := ts.login(t, "kit@chapeltown-kitchen.example", "editor password 123")
	path := "/v1/members/" + m.ID + "/webhook"

	type view struct {
		MemberID string   `json:"member_id"`
		URL      string   `json:"url"`
		Types    []string `json:"types"`
		Secret   string   `json:"secret"`
	}
	var first view
	res := ts.do(t, "PUT", path, owner, map[string]any{"url": " https://hooks.kitchen.example/in ", "types": []string{"match.new", "match.new", "alert"}}).must(t, 200)
	res.decode(t, &first)
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the answer with the secret may be stored: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if diff := cmp.Diff(view{MemberID: m.ID, URL: "https://hooks.kitchen.example/in", Types: []string{"match.new", "alert"}, Secret: first.Secret}, first); diff != "" || len(first.Secret) < 40 {
		t.Fatalf("registered (-want +got):\n%s", diff)
	}

	t.Run("SecretShownOnce", func(t *testing.T) {
		var again view
		ts.do(t, "PUT", path, owner, map[string]any{"url": "https://hooks.kitchen.example/v2"}).must(t, 200).decode(t, &again)
		if again.Secret != "" || again.URL != "https://hooks.kitchen.example/v2" || len(again.Types) != 0 {
			t.Fatalf("changing the URL: %+v; want the new URL, all types, no secret", again)
		}
		stored, err := ts.Service.WebhookTargets.FindWebhookTarget(context.Background(), m.ID)
		if err != nil || stored.Secret != first.Secret {
			t.Fatalf("the secret changed when only the URL did: %v", err)
		}
		var rotated view
		ts.do(t, "PUT", path, owner, map[string]any{"url": "https://hooks.kitchen.example/v2", "rotate_secret": true}).must(t, 200).decode(t, &rotated)
		if rotated.Secret == "" || rotated.Secret == first.Secret {
			t.Fatalf("rotating: secret %q; want a new one", rotated.Secret)
		}
		var shown map[string]any
		ts.do(t, "GET", path, owner, nil).must(t, 200).decode(t, &shown)
		if _, ok := shown["secret"]; ok {
			t.Fatal("GET shows the secret")
		}
	})

	t.Run("OwnersOnly", func(t *testing.T) {
		hook := map[string]any{"url": "https://hooks.kitchen.example/in"}
		ts.do(t, "PUT", path, editor, hook).must(t, 403)
		ts.do(t, "GET", path, editor, nil).must(t, 403)
		ts.do(t, "DELETE", path, editor, nil).must(t, 403)
		ts.do(t, "PUT", path, other, hook).must(t, 403)
		ts.do(t, "PUT", path, staff, hook).must(t, 403)
		ts.do(t, "PUT", path, "", hook).must(t, 401)
		ts.do(t, "GET", path, staff, nil).must(t, 200)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, u := range []string{"", "hooks.kitchen.example/in", "http://hooks.kitchen.example/in", "https://sam:pw@hooks.kitchen.example/in",
			"https://hooks.kitchen.example/in#frag", "https://hooks.internal.example/in", "https://127.0.0.1/in", "https://unknown.invalid/in"} {
			p := ts.do(t, "PUT", path, owner, map[string]any{"url": u}).must(t, 400).problem(t)
			if len(p.Errors) != 1 || p.Errors[0].Field != "url" {
				t.Errorf("url %q: %+v; want a url error", u, p.Errors)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		ts.do(t, "DELETE", path, staff, nil).must(t, 204)
		ts.do(t, "GET", path, owner, nil).must(t, 404)
		ts.do(t, "DELETE", path, owner, nil).must(t, 404)
	})
}
