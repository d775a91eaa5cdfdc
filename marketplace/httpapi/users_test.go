package httpapi_test

import (
	"testing"

	"cooptrade/marketplace"
)

// usersScenario manages a co-op's users on the contract: owners list,
// promote and remove their own users and no one else's; the last owner
// stays; a removed or suspended user's token stops at once; a user can
// leave.
func usersScenario(t *testing.T, c *contract, staff string) {
	t.Helper()
	ts := c.ts
	m, owner := ts.memberWithOwner(t, staff, "Managed Printers", marketplace.StandingActive)
	_, otherOwner := ts.memberWithOwner(t, staff, "Someone Else's Co-op", marketplace.StandingActive)
	var me marketplace.User
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 200).decode(t, &me)
	if me.LastSignInAt == nil {
		t.Errorf("signing in recorded no last sign-in: %+v", me)
	}
	add := func(email string, role marketplace.Role) (*marketplace.User, string) {
		t.Helper()
		u := ts.addUser(t, m.ID, marketplace.NewUser{Email: email, Password: "colleague password 123", Role: role})
		return u, ts.login(t, email, "colleague password 123")
	}
	colleague, colleagueToken := add("colleague@managed-printers.example", marketplace.RoleEditor)

	var list struct{ Items []marketplace.User }
	c.do(t, "GET", "/v1/members/"+m.ID+"/users", owner, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("the owner sees %d users; want 2: %+v", len(list.Items), list.Items)
	}
	c.do(t, "GET", "/v1/members/"+m.ID+"/users", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/members/"+m.ID+"/users", colleagueToken, nil).must(t, 403)
	c.do(t, "GET", "/v1/members/"+m.ID+"/users", otherOwner, nil).must(t, 403)
	c.doBreaking(t, "GET", "/v1/members/"+m.ID+"/users", "", nil).must(t, 401)

	// Nobody sets a person's password through the API, staff included:
	// people join by invitation, and staff pass a first password on by
	// hand only with `marketplace admin add-user`.
	for _, token := range []string{staff, owner} {
		p := ts.do(t, "POST", "/v1/members/"+m.ID+"/users", token, map[string]any{"email": "handed@managed-printers.example", "password": "a password by phone", "role": "editor"}).must(t, 405).problem(t)
		if p.Status != 405 {
			t.Errorf("adding a user with a password: %+v", p)
		}
	}
	ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": "handed@managed-printers.example", "password": "a password by phone"}).must(t, 401)

	// Another member's owner cannot touch them: not found.
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, otherOwner, map[string]any{"role": "owner"}).must(t, 404)
	c.do(t, "DELETE", "/v1/users/"+colleague.ID, otherOwner, nil).must(t, 404)

	// The last owner stays, whether removed, demoted or suspended.
	c.do(t, "DELETE", "/v1/users/"+me.ID, owner, nil).must(t, 409).problem(t)
	c.do(t, "PATCH", "/v1/users/"+me.ID, owner, map[string]any{"role": "editor"}).must(t, 409)
	c.do(t, "PATCH", "/v1/users/"+me.ID, staff, map[string]any{"suspended": true}).must(t, 409)
	wantProblemFields(t, c.doBreaking(t, "PATCH", "/v1/users/"+colleague.ID, owner, map[string]any{"role": "boss"}).must(t, 400), "role")
	c.doBreaking(t, "PATCH", "/v1/users/"+colleague.ID, owner, map[string]any{"role": map[string]any{"$ne": ""}}).must(t, 400)
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, owner, map[string]any{"suspended": true}).must(t, 403)

	// An empty change changes nothing, not even the version.
	var same marketplace.User
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, owner, map[string]any{}).must(t, 200).decode(t, &same)
	if same.Version != colleague.Version {
		t.Fatalf("an empty change moved the version from %d to %d", colleague.Version, same.Version)
	}

	// Promote the colleague; then the first owner may step down.
	var promoted marketplace.User
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, owner, map[string]any{"role": "owner"}, "If-Match", `"1"`).must(t, 200).decode(t, &promoted)
	if promoted.Role != marketplace.RoleOwner || promoted.Version != 2 {
		t.Fatalf("promoted: %+v", promoted)
	}
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, owner, map[string]any{"role": "editor"}, "If-Match", `"1"`).must(t, 412)

	// Staff suspend the colleague: the token stops at once; restored, the
	// colleague signs in again.
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, staff, map[string]any{"suspended": true}).must(t, 200)
	c.do(t, "GET", "/v1/me", colleagueToken, nil).must(t, 401)
	c.do(t, "POST", "/v1/auth/login", "", map[string]any{"email": colleague.Email, "password": "colleague password 123"}).must(t, 403)
	c.do(t, "PATCH", "/v1/users/"+colleague.ID, staff, map[string]any{"suspended": false}).must(t, 200)
	colleagueToken = ts.login(t, colleague.Email, "colleague password 123")

	// The owner removes a second colleague, whose token stops at once.
	second, secondToken := add("second@managed-printers.example", marketplace.RoleEditor)
	c.do(t, "GET", "/v1/me", secondToken, nil).must(t, 200)
	c.do(t, "DELETE", "/v1/users/"+second.ID, owner, nil).must(t, 204)
	c.do(t, "GET", "/v1/me", secondToken, nil).must(t, 401)
	c.do(t, "DELETE", "/v1/users/"+second.ID, owner, nil).must(t, 404)

	// The first owner leaves; the colleague is the owner now.
	c.do(t, "DELETE", "/v1/users/"+me.ID, owner, nil).must(t, 204)
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 401)
	c.do(t, "GET", "/v1/members/"+m.ID+"/users", colleagueToken, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != colleague.ID {
		t.Fatalf("after leaving, the users are %+v", list.Items)
	}
}
