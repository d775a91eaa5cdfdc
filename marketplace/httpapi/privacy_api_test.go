package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"cooptrade/marketplace"
)

// privacyScenario downloads and erases personal data through the API: a
// user their own, an owner its co-op's, staff anyone's; the last owner of a
// member cannot close their account; staff erase a member whole.
func privacyScenario(t *testing.T, c *contract, staff string) {
	t.Helper()
	ts := c.ts
	m, owner := ts.memberWithOwner(t, staff, "Erasable Printers", marketplace.StandingActive)
	_, otherOwner := ts.memberWithOwner(t, staff, "Kept Bakers", marketplace.StandingActive)
	editor := ts.addUser(t, m.ID, marketplace.NewUser{Email: "editor@erasable-printers.example", Name: "Edi Tor", Password: "editor password 123", Role: marketplace.RoleEditor})
	editorToken := ts.login(t, editor.Email, "editor password 123")
	var ownerUser marketplace.User
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 200).decode(t, &ownerUser)
	listing := ts.publishedListing(t, owner, offerBody("Riso prints from Erasable Printers"))

	// Access and portability.
	res := c.do(t, "GET", "/v1/me/data", editorToken, nil).must(t, 200)
	if got := res.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment") {
		t.Errorf("GET /v1/me/data: Content-Disposition %q; want an attachment", got)
	}
	var mine marketplace.PersonalExport
	res.decode(t, &mine)
	if mine.Subject != marketplace.UserSubject(editor.ID) || len(mine.Records["users"]) != 1 || mine.Records["users"][0]["email"] != editor.Email {
		t.Errorf("GET /v1/me/data: %+v", mine)
	}
	if len(mine.Records["sessions"])+len(mine.Records["tokens"]) == 0 {
		t.Errorf("GET /v1/me/data lists no sign-in: %+v", mine.Records)
	}
	for _, secret := range []string{"passwordHash", "argon2", strings.TrimPrefix(editorToken, "cmt_")} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("GET /v1/me/data holds %q", secret)
		}
	}
	c.doBreaking(t, "GET", "/v1/me/data", "", nil).must(t, 401)
	c.do(t, "GET", "/v1/users/"+editor.ID+"/data", editorToken, nil).must(t, 200)
	c.do(t, "GET", "/v1/users/"+editor.ID+"/data", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/users/"+editor.ID+"/data", otherOwner, nil).must(t, 404)
	c.do(t, "GET", "/v1/users/"+editor.ID+"/data", owner, nil).must(t, 404)
	c.doBreaking(t, "GET", "/v1/users/"+editor.ID+"/data", "", nil).must(t, 401)

	var theirs marketplace.PersonalExport
	c.do(t, "GET", "/v1/members/"+m.ID+"/data", owner, nil).must(t, 200).decode(t, &theirs)
	if len(theirs.Records["members"]) != 1 || len(theirs.Records["listings"]) != 1 || len(theirs.Records["users"]) != 2 {
		t.Errorf("GET /v1/members/{id}/data: %d members, %d listings, %d users; want 1, 1, 2", len(theirs.Records["members"]), len(theirs.Records["listings"]), len(theirs.Records["users"]))
	}
	c.do(t, "GET", "/v1/members/"+m.ID+"/data", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/members/"+m.ID+"/data", editorToken, nil).must(t, 404)
	c.do(t, "GET", "/v1/members/"+m.ID+"/data", otherOwner, nil).must(t, 404)
	c.do(t, "GET", "/v1/members/0123456789abcdef01234567/data", staff, nil).must(t, 404)
	c.doBreaking(t, "GET", "/v1/members/"+m.ID+"/data", "", nil).must(t, 401)

	// A download prepared by a job, from a link that only its asker may use.
	var prepared struct {
		Status string `json:"status"`
		Link   string `json:"link"`
	}
	ask := map[string]any{"kind": "user", "id": editor.ID}
	c.do(t, "POST", "/v1/exports", editorToken, ask).must(t, 202).decode(t, &prepared)
	if prepared.Status != marketplace.ExportPending || !strings.HasPrefix(prepared.Link, "/v1/exports/cmx_") {
		t.Fatalf("POST /v1/exports: %+v", prepared)
	}
	c.do(t, "GET", prepared.Link, editorToken, nil).must(t, 202)
	c.do(t, "GET", prepared.Link, staff, nil).must(t, 404)
	c.do(t, "GET", prepared.Link, owner, nil).must(t, 404)
	c.doBreaking(t, "GET", prepared.Link, "", nil).must(t, 401)
	c.do(t, "GET", "/v1/exports/cmx_nothing-of-the-sort", editorToken, nil).must(t, 404)
	if err := ts.Service.BuildExport(context.Background(), marketplace.HashToken(strings.TrimPrefix(prepared.Link, "/v1/exports/"))); err != nil {
		t.Fatal(err)
	}
	if res := c.do(t, "GET", prepared.Link, editorToken, nil).must(t, 200); !strings.Contains(string(res.Body), editor.Email) {
		t.Errorf("the prepared download lacks the editor's address: %.500s", res.Body)
	}
	c.do(t, "POST", "/v1/exports", otherOwner, ask).must(t, 404)
	c.do(t, "POST", "/v1/exports", otherOwner, map[string]any{"kind": "member", "id": m.ID}).must(t, 404)
	c.do(t, "POST", "/v1/exports", owner, map[string]any{"kind": "member", "id": m.ID}).must(t, 202)
	c.do(t, "POST", "/v1/exports", staff, ask).must(t, 202)
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/exports", editorToken, map[string]any{"kind": "everyone", "id": editor.ID}).must(t, 400), "kind")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/exports", editorToken, map[string]any{"kind": "user", "id": map[string]string{"$gt": ""}}).must(t, 400), "id.$gt")
	c.doBreaking(t, "POST", "/v1/exports", "", ask).must(t, 401)

	// Closing an account; the last owner stays while the co-op is a member.
	c.do(t, "DELETE", "/v1/me", owner, nil).must(t, 409)
	c.doBreaking(t, "DELETE", "/v1/me", "", nil).must(t, 401)
	c.do(t, "DELETE", "/v1/me", editorToken, nil).must(t, 204)
	c.do(t, "GET", "/v1/me", editorToken, nil).must(t, 401)
	c.do(t, "POST", "/v1/auth/login", "", map[string]any{"email": editor.Email, "password": "editor password 123"}).must(t, 401)

	// Staff erase.
	c.do(t, "POST", "/v1/staff/users/"+ownerUser.ID+"/erase", otherOwner, nil).must(t, 403)
	c.do(t, "POST", "/v1/staff/users/"+ownerUser.ID+"/erase", staff, nil).must(t, 409)
	c.do(t, "POST", "/v1/staff/users/0123456789abcdef01234567/erase", staff, nil).must(t, 404)
	leaver := ts.addUser(t, m.ID, marketplace.NewUser{Email: "leaver@erasable-printers.example", Password: "leaver password 123", Role: marketplace.RoleEditor})
	c.do(t, "POST", "/v1/staff/users/"+leaver.ID+"/erase", staff, nil).must(t, 204)
	c.do(t, "GET", "/v1/users/"+leaver.ID+"/data", staff, nil).must(t, 404)
	c.doBreaking(t, "POST", "/v1/staff/users/"+ownerUser.ID+"/erase", "", nil).must(t, 401)
	c.do(t, "POST", "/v1/staff/members/"+m.ID+"/erase", owner, nil).must(t, 403)
	c.doBreaking(t, "POST", "/v1/staff/members/"+m.ID+"/erase", "", nil).must(t, 401)
	c.do(t, "POST", "/v1/staff/members/"+m.ID+"/erase", staff, nil).must(t, 204)
	c.do(t, "POST", "/v1/staff/members/"+m.ID+"/erase", staff, nil).must(t, 404)
	c.do(t, "GET", "/v1/members/"+m.ID, staff, nil).must(t, 404)
	c.do(t, "GET", "/v1/listings/"+listing.ID, staff, nil).must(t, 404)
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 401)

	// The erasures are in the audit log, without whom they erased.
	res = c.do(t, "GET", "/v1/staff/audit?limit=100", staff, nil).must(t, 200)
	var audit struct {
		Items []struct {
			Action  string
			Details map[string]string
		}
	}
	res.decode(t, &audit)
	n := 0
	for _, e := range audit.Items {
		// Enquirers who erased their own data are not this scenario's.
		if e.Action == "privacy.erase" && e.Details["kind"] != string(marketplace.SubjectEnquirer) {
			n++
		}
	}
	if n != 4 {
		t.Errorf("the audit log holds %d erasures; want 4 (the editor, the leaver, the owner, the member)", n)
	}
	for _, gone := range []string{editor.Email, leaver.Email, ownerUser.Email, "Erasable Printers", m.ID, editor.ID, ownerUser.ID} {
		if strings.Contains(string(res.Body), gone) {
			t.Errorf("the audit log still names %q", gone)
		}
	}
}
