package httpapi_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
)

func TestListingLifecycle(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	_, owner := ts.memberWithOwner(t, staff, "Pennine Print Co-op", marketplace.StandingActive)
	_, rival := ts.memberWithOwner(t, staff, "Rival Print Co-op", marketplace.StandingActive)

	var l marketplace.Listing
	res := ts.do(t, "POST", "/v1/listings", owner, need("5,000 leaflets for a tenants' union")).must(t, 201)
	res.decode(t, &l)
	if l.Status != marketplace.StatusDraft || l.Version != 1 || res.Header.Get("ETag") != `"1"` {
		t.Fatalf("created %+v with ETag %s; want a draft at version 1", l, res.Header.Get("ETag"))
	}
	if res.Header.Get("Location") != "/v1/listings/"+l.ID {
		t.Fatalf("Location %q", res.Header.Get("Location"))
	}

	t.Run("DraftHiddenFromOthers", func(t *testing.T) {
		ts.do(t, "GET", "/v1/listings/"+l.ID, "", nil).must(t, 404)
		ts.do(t, "GET", "/v1/listings/"+l.ID, rival, nil).must(t, 404)
		ts.do(t, "GET", "/v1/listings/"+l.ID, owner, nil).must(t, 200)
		ts.do(t, "GET", "/v1/listings/"+l.ID, staff, nil).must(t, 200)
		var pg struct{ Items []marketplace.Listing }
		ts.do(t, "GET", "/v1/listings?member="+l.MemberID, "", nil).must(t, 200).decode(t, &pg)
		if len(pg.Items) != 0 {
			t.Fatalf("public list of the member shows %d listings; want none (a draft)", len(pg.Items))
		}
		ts.do(t, "GET", "/v1/listings?member="+l.MemberID+"&status=draft", rival, nil).must(t, 403)
	})

	t.Run("PatchNeedsIfMatch", func(t *testing.T) {
		p := ts.do(t, "PATCH", "/v1/listings/"+l.ID, owner, map[string]any{"title": "6,000 leaflets"}).must(t, 428).problem(t)
		if p.Type != "/problems/precondition_required" {
			t.Fatalf("type %q", p.Type)
		}
	})

	t.Run("Patch", func(t *testing.T) {
		var got marketplace.Listing
		ts.do(t, "PATCH", "/v1/listings/"+l.ID, owner, map[string]any{"title": "6,000 leaflets", "deadline": nil},
			"If-Match", `"1"`).must(t, 200).decode(t, &got)
		if got.Title != "6,000 leaflets" || got.Deadline != nil || got.Version != 2 || got.Description != l.Description {
			t.Fatalf("after patch: %+v", got)
		}
		ts.do(t, "PATCH", "/v1/listings/"+l.ID, owner, map[string]any{"title": "stale write"}, "If-Match", `"1"`).must(t, 412)
	})

	t.Run("OtherMemberCannotChange", func(t *testing.T) {
		ts.do(t, "POST", "/v1/listings/"+l.ID+"/publish", owner, nil).must(t, 200)
		for _, try := range []struct{ method, path string }{
			{"PATCH", "/v1/listings/" + l.ID},
			{"POST", "/v1/listings/" + l.ID + "/pause"},
			{"POST", "/v1/listings/" + l.ID + "/close"},
		} {
			p := ts.do(t, try.method, try.path, rival, map[string]any{"title": "Taken over"}, "If-Match", `"3"`).must(t, 403).problem(t)
			if p.Type != "/problems/forbidden" {
				t.Errorf("%s %s: type %q", try.method, try.path, p.Type)
			}
		}
		var got marketplace.Listing
		ts.do(t, "GET", "/v1/listings/"+l.ID, rival, nil).must(t, 200).decode(t, &got)
		if got.Title != "6,000 leaflets" || got.Status != marketplace.StatusPublished || got.Version != 3 {
			t.Fatalf("after the rival's attempts: %+v", got)
		}
	})

	t.Run("Transitions", func(t *testing.T) {
		ts.do(t, "POST", "/v1/listings/"+l.ID+"/publish", owner, nil).must(t, 409)
		var got marketplace.Listing
		ts.do(t, "POST", "/v1/listings/"+l.ID+"/pause", owner, nil, "If-Match", `"3"`).must(t, 200).decode(t, &got)
		if got.Status != marketplace.StatusPaused {
			t.Fatalf("status %s; want paused", got.Status)
		}
		ts.do(t, "POST", "/v1/listings/"+l.ID+"/close", owner, nil).must(t, 200).decode(t, &got)
		if got.Status != marketplace.StatusClosed {
			t.Fatalf("status %s; want closed", got.Status)
		}
		ts.do(t, "POST", "/v1/listings/"+l.ID+"/publish", owner, nil).must(t, 409)
		ts.do(t, "PATCH", "/v1/listings/"+l.ID, owner, map[string]any{"title": "Reopened?"}, "If-Match", `"5"`).must(t, 409)
	})
}

func TestListingStandingGates(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	for _, tc := range []struct {
		standing marketplace.Standing
		status   int
	}{
		{marketplace.StandingPending, 403},
		{marketplace.StandingAwaitingPayment, 402},
		{marketplace.StandingLapsed, 402},
		{marketplace.StandingCancelled, 403},
	} {
		t.Run(string(tc.standing), func(t *testing.T) {
			_, tok := ts.memberWithOwner(t, staff, "Co-op "+string(tc.standing), tc.standing)
			p := ts.do(t, "POST", "/v1/listings", tok, need("Leaflets please")).must(t, tc.status).problem(t)
			if p.Detail == "" {
				t.Fatal("a refusal must say what to do")
			}
		})
	}
	t.Run("StaffCannotPostWithoutMember", func(t *testing.T) {
		ts.do(t, "POST", "/v1/listings", staff, need("Leaflets please")).must(t, 403)
	})
	t.Run("PublicCannotPost", func(t *testing.T) {
		ts.do(t, "POST", "/v1/listings", "", need("Leaflets please")).must(t, 401)
	})
}

func TestHostileInput(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	m, owner := ts.memberWithOwner(t, staff, "Pennine Print Co-op", marketplace.StandingActive)
	listingCount := func() int {
		var pg struct{ Items []marketplace.Listing }
		ts.do(t, "GET", "/v1/listings?member="+m.ID, owner, nil).must(t, 200).decode(t, &pg)
		return len(pg.Items)
	}

	for _, tc := range []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"OperatorInValue", `{"kind":"need","title":{"$gt":""},"category":"print-runs","postcode":"LS6 1AA"}`, 400, "title.$gt"},
		{"OperatorKey", `{"$where":"sleep(1000)","kind":"need"}`, 400, "$where"},
		{"DottedKey", `{"kind":"need","tags.0":"x"}`, 400, "tags.0"},
		{"OperatorInArray", `{"kind":"need","tags":[{"$ne":null}]}`, 400, "tags[0].$ne"},
		{"UnknownField", `{"kind":"need","title":"Leaflets needed","category":"print-runs","postcode":"LS6 1AA","member_id":"65a1b2c3d4e5f60718293a4b"}`, 400, "member_id"},
		{"WrongType", `{"kind":"need","title":"Leaflets needed","radius_km":"far"}`, 400, "radius_km"},
		{"NotJSON", `{"kind":`, 400, "body"},
		{"TwoValues", `{"kind":"need"} {"kind":"offer"}`, 400, "body"},
		{"Array", `[{"kind":"need"}]`, 400, "body"},
		{"BadPostcode", `{"kind":"need","title":"Leaflets needed","category":"print-runs","postcode":"QQ1 1AA"}`, 400, "postcode"},
		{"UnknownDistrict", `{"kind":"need","title":"Leaflets needed","category":"print-runs","postcode":"LS30 1AA"}`, 400, "postcode"},
		{"BadCategory", `{"kind":"need","title":"Leaflets needed","category":"printing; drop","postcode":"LS6 1AA"}`, 400, "category"},
		{"BadDeadline", `{"kind":"need","title":"Leaflets needed","category":"print-runs","postcode":"LS6 1AA","deadline":"tomorrow"}`, 400, "deadline"},
		{"PastDeadline", `{"kind":"need","title":"Leaflets needed","category":"print-runs","postcode":"LS6 1AA","deadline":"2020-01-01"}`, 400, "deadline"},
		{"PriceUpsideDown", `{"kind":"need","title":"Leaflets needed","category":"print-runs","postcode":"LS6 1AA","price_min_pence":500,"price_max_pence":100,"price_unit":"job"}`, 400, "price_min_pence"},
		{"ControlCharacters", "{\"kind\":\"need\",\"title\":\"Leaflets\\u0000needed\",\"category\":\"print-runs\",\"postcode\":\"LS6 1AA\"}", 400, "title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ts.do(t, "POST", "/v1/listings", owner, tc.body).must(t, tc.status).problem(t)
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			if !contains(fields, tc.field) {
				t.Fatalf("errors name %v; want %q among them (%s)", fields, tc.field, p.Detail)
			}
		})
	}

	t.Run("TooLarge", func(t *testing.T) {
		body := `{"kind":"need","title":"Big","description":"` + strings.Repeat("x", 80<<10) + `"}`
		p := ts.do(t, "POST", "/v1/listings", owner, body).must(t, 413).problem(t)
		if p.Type != "/problems/too_large" {
			t.Fatalf("type %q", p.Type)
		}
	})
	t.Run("NotJSONContentType", func(t *testing.T) {
		ts.do(t, "POST", "/v1/listings", owner, `kind=need`, "Content-Type", "application/x-www-form-urlencoded").must(t, 415)
	})
	t.Run("MalformedIDs", func(t *testing.T) {
		for _, id := range []string{"nonsense", "65a1b2c3d4e5f60718293a4", "%7B%22%24gt%22%3A%22%22%7D", "65a1b2c3d4e5f60718293a4b"} {
			ts.do(t, "GET", "/v1/listings/"+id, owner, nil).must(t, 404).problem(t)
			ts.do(t, "PATCH", "/v1/listings/"+id, owner, map[string]any{"title": "Leaflets"}, "If-Match", `"1"`).must(t, 404)
			ts.do(t, "GET", "/v1/members/"+id, "", nil).must(t, 404)
		}
	})
	t.Run("BadToken", func(t *testing.T) {
		res := ts.do(t, "GET", "/v1/listings", "cmt_forged", nil).must(t, 401)
		if res.Header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
		res.problem(t)
	})
	t.Run("BadCursorAndLimit", func(t *testing.T) {
		p := ts.do(t, "GET", "/v1/listings?cursor=%7B%22%24gt%22%3A%22%22%7D", "", nil).must(t, 400).problem(t)
		if p.Errors[0].Field != "cursor" {
			t.Fatalf("field %q; want cursor", p.Errors[0].Field)
		}
		ts.do(t, "GET", "/v1/listings?limit=100000", "", nil).must(t, 400)
		ts.do(t, "GET", "/v1/listings?status=drafty", owner, nil).must(t, 400)
	})
	if n := listingCount(); n != 0 {
		t.Fatalf("%d listings were stored by hostile requests; want none", n)
	}
}

func TestLoginRateLimit(t *testing.T) {
	ts := newTestServer(t, options{LoginsPerMinute: 3})
	for i := range 3 {
		ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": "nobody@example.coop", "password": "wrong"}).must(t, 401)
		_ = i
	}
	p := ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": "nobody@example.coop", "password": "wrong"}).must(t, 429).problem(t)
	if p.Type != "/problems/rate_limited" {
		t.Fatalf("type %q", p.Type)
	}
}

func TestMembers(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	m, owner := ts.memberWithOwner(t, staff, "Calder Valley Bakers", marketplace.StandingPending)
	_, other := ts.memberWithOwner(t, staff, "Other Bakers", marketplace.StandingActive)

	t.Run("ProfileBySlugAndID", func(t *testing.T) {
		var bySlug, byID marketplace.Member
		ts.do(t, "GET", "/v1/members/calder-valley-bakers", owner, nil).must(t, 200).decode(t, &bySlug)
		ts.do(t, "GET", "/v1/members/"+m.ID, owner, nil).must(t, 200).decode(t, &byID)
		if diff := cmp.Diff(bySlug, byID); diff != "" {
			t.Fatalf("by slug vs by id (-slug +id):\n%s", diff)
		}
	})
	t.Run("PendingNotInTheDirectory", func(t *testing.T) {
		ts.do(t, "GET", "/v1/members/calder-valley-bakers", "", nil).must(t, 404).problem(t)
		ts.do(t, "GET", "/v1/members/"+m.ID, other, nil).must(t, 404).problem(t)
	})
	t.Run("OwnerCannotChangeStanding", func(t *testing.T) {
		ts.do(t, "PATCH", "/v1/members/"+m.ID, owner, map[string]any{"standing": "active"}).must(t, 403)
	})
	t.Run("OwnerEditsProfile", func(t *testing.T) {
		var got marketplace.Member
		ts.do(t, "PATCH", "/v1/members/"+m.ID, owner, map[string]any{"description": "Sourdough, since 2009."}).must(t, 200).decode(t, &got)
		if got.Description != "Sourdough, since 2009." || got.Version != 2 {
			t.Fatalf("after edit: %+v", got)
		}
		ts.do(t, "PATCH", "/v1/members/"+m.ID, owner, map[string]any{"description": "stale"}, "If-Match", `"1"`).must(t, 412)
	})
	t.Run("OtherMemberCannotEdit", func(t *testing.T) {
		ts.do(t, "PATCH", "/v1/members/"+m.ID, other, map[string]any{"description": "Ours now"}).must(t, 403)
	})
	t.Run("StaffApproves", func(t *testing.T) {
		var got marketplace.Member
		ts.do(t, "PATCH", "/v1/members/"+m.ID, staff, map[string]any{"standing": "active", "reason": "Approved at the November meeting"}).must(t, 200).decode(t, &got)
		if got.Standing != marketplace.StandingActive {
			t.Fatalf("standing %s", got.Standing)
		}
		ts.do(t, "POST", "/v1/listings", owner, need("Flour sacks wanted")).must(t, 201)
	})
	t.Run("OnlyStaffAdmits", func(t *testing.T) {
		ts.do(t, "POST", "/v1/members", owner, map[string]any{"kind": "enterprise", "name": "Sneaky", "email": "a@b.coop", "postcode": "M1"}).must(t, 403)
		ts.do(t, "GET", "/v1/members", owner, nil).must(t, 403)
	})
	t.Run("Validation", func(t *testing.T) {
		p := ts.do(t, "POST", "/v1/members", staff, map[string]any{"kind": "collective", "name": "X", "email": "not-an-email", "postcode": "ZZ9", "values": []string{"cheap"}}).must(t, 400).problem(t)
		var fields []string
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		for _, want := range []string{"kind", "name", "email", "postcode", "values[0]"} {
			if !contains(fields, want) {
				t.Errorf("errors %v lack %q", fields, want)
			}
		}
	})
	t.Run("SlugTaken", func(t *testing.T) {
		p := ts.do(t, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Calder Valley Bakers", "email": "a@b.coop", "postcode": "HX7 5AA"}).must(t, 409).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "slug" {
			t.Fatalf("errors %v; want slug", p.Errors)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
