package httpapi_test

import (
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"cooptrade/marketplace"
)

// TestPublicSurfaceHoldsNoPersonalData walks every operation of the OpenAPI
// document that the public may call without signing in, and the public
// pages, over a federation of every kind of member, and searches each body
// for every personal value stored: no e-mail address, no full postcode, no
// standing, nothing of a worker member (an individual) or of a member
// outside the directory (pending, lapsed, cancelled).
func TestPublicSurfaceHoldsNoPersonalData(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)

	active, owner := ts.memberWithOwner(t, staff, "Pennine Print Co-op", marketplace.StandingActive)
	pending, _ := ts.memberWithOwner(t, staff, "Pending Bakers Co-op", marketplace.StandingPending)
	lapsed, lapsedOwner := ts.memberWithOwner(t, staff, "Lapsed Printers Co-op", marketplace.StandingActive)
	cancelled, _ := ts.memberWithOwner(t, staff, "Cancelled Couriers Co-op", marketplace.StandingActive)
	var worker marketplace.Member
	ts.do(t, "POST", "/v1/members", staff, map[string]any{
		"kind": "worker", "name": "Morwenna Trelawney", "email": "morwenna@trelawney.example",
		"postcode": "TR1 2AB", "standing": "active",
	}).must(t, 201).decode(t, &worker)

	ts.addUser(t, worker.ID, marketplace.NewUser{Email: "morwenna@trelawney.example", Password: "owner password 123", Role: marketplace.RoleOwner})
	workerOffer := ts.publishedListing(t, ts.login(t, "morwenna@trelawney.example", "owner password 123"),
		withValues(offerBody("Bookkeeping for small charities in Cornwall"), "postcode", "TR1 2AB"))
	offer := ts.publishedListing(t, owner, offerBody("Leaflets and flyers on recycled paper"))
	lapsedOffer := ts.publishedListing(t, lapsedOwner, offerBody("Posters printed while dues were paid"))
	ts.do(t, "PATCH", "/v1/members/"+lapsed.ID, staff, map[string]any{"standing": "lapsed", "reason": "Dues unpaid"}).must(t, 200)
	ts.do(t, "PATCH", "/v1/members/"+cancelled.ID, staff, map[string]any{"standing": "cancelled", "reason": "Left"}).must(t, 200)

	members := []*marketplace.Member{active, pending, lapsed, cancelled, &worker}
	// Each its own postcode, none of those the pages give as examples.
	for i, m := range members[:4] {
		pc := []string{"LS7 3QB", "BD1 4TR", "HX7 8AD", "YO1 7HH"}[i]
		ts.do(t, "PATCH", "/v1/members/"+m.ID, staff, map[string]any{"postcode": pc}).must(t, 200).decode(t, m)
	}
	// secret are the values that must appear in no public body.
	secret := []string{worker.Name, pending.Name, lapsed.Name, cancelled.Name, lapsedOffer.Title, workerOffer.Title, `"standing"`}
	for _, m := range members {
		if m.Email == "" || m.Postcode == "" {
			t.Fatalf("the member as created: %+v", m)
		}
		secret = append(secret, m.Email, m.Postcode, "owner@"+m.Slug+".example")
	}
	secret = append(secret, offer.Postcode)

	// The places to look: every public operation with each id it takes,
	// and every public page.
	var paths []string
	ids := []string{offer.ID, lapsedOffer.ID, workerOffer.ID}
	for _, m := range members {
		ids = append(ids, m.ID, m.Slug)
	}
	doc := openAPIDocument(t)
	for path, item := range doc.Paths {
		var op openAPIOperation
		if raw, ok := item["get"]; !ok {
			continue
		} else if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(op.Security, func(s map[string]any) bool { return len(s) == 0 }) {
			continue
		}
		switch {
		case path == "/v1/listings":
			for _, id := range ids {
				paths = append(paths, "/v1/listings?member_id="+url.QueryEscape(id))
			}
			paths = append(paths, path)
		case strings.HasPrefix(path, "/v1/threads/"), strings.HasPrefix(path, "/v1/deals/"):
			// A thread or a deal is read with its link's token: none here.
			paths = append(paths, strings.Replace(path, "{id}", offer.ID, 1))
		case strings.Contains(path, "{id}"):
			for _, id := range ids {
				paths = append(paths, strings.Replace(path, "{id}", id, 1))
			}
		case path == "/v1/search":
			paths = append(paths, path, "/v1/search?q=print", "/v1/search?q=Trelawney", "/v1/search?q=bookkeeping", "/v1/search?member_kind=worker")
		default:
			paths = append(paths, path)
		}
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d public calls in the OpenAPI document: %v", len(paths), paths)
	}
	paths = append(paths, "/", "/search", "/search?q=print", "/accessibility", "/privacy", "/privacy?lang=cy", "/listings/"+offer.ID, "/listings/"+lapsedOffer.ID, "/listings/"+workerOffer.ID, "/search?q=bookkeeping")
	for _, m := range members {
		paths = append(paths, "/coops/"+m.Slug)
	}

	shown := 0
	for _, p := range paths {
		r := ts.do(t, "GET", p, "", nil)
		if r.Status >= 500 {
			t.Errorf("GET %s: %d", p, r.Status)
		}
		if r.Status == 200 {
			shown++
		}
		body := string(r.Body)
		for _, s := range secret {
			if strings.Contains(body, s) {
				t.Errorf("GET %s (%d) shows %q", p, r.Status, s)
			}
		}
	}
	if shown < len(paths)/2 {
		t.Fatalf("only %d of %d public calls answered 200; the walk proves nothing", shown, len(paths))
	}

	t.Run("DirectoryEntryShown", func(t *testing.T) {
		var p map[string]any
		ts.do(t, "GET", "/v1/members/"+active.Slug, "", nil).must(t, 200).decode(t, &p)
		if p["name"] != active.Name || p["district"] != "LS7" {
			t.Fatalf("the public profile %v; want the name and the district LS7", p)
		}
		var l marketplace.Listing
		ts.do(t, "GET", "/v1/listings/"+offer.ID, "", nil).must(t, 200).decode(t, &l)
		if l.Postcode != "LS9" {
			t.Fatalf("the public listing's postcode %q; want its district LS9", l.Postcode)
		}
	})
	t.Run("NotPublicIsNotFound", func(t *testing.T) {
		for _, m := range []*marketplace.Member{pending, lapsed, cancelled, &worker} {
			ts.do(t, "GET", "/v1/members/"+m.ID, "", nil).must(t, 404).problem(t)
			ts.do(t, "GET", "/v1/members/"+m.ID, owner, nil).must(t, 404).problem(t)
		}
	})
	t.Run("OwnUsersAndStaffSeeTheWhole", func(t *testing.T) {
		for _, tok := range []string{owner, staff} {
			var m marketplace.Member
			ts.do(t, "GET", "/v1/members/"+active.ID, tok, nil).must(t, 200).decode(t, &m)
			if m.Email != active.Email || m.Standing != marketplace.StandingActive || m.Postcode != active.Postcode {
				t.Fatalf("the whole record %+v", m)
			}
		}
		var l marketplace.Listing
		ts.do(t, "GET", "/v1/listings/"+offer.ID, owner, nil).must(t, 200).decode(t, &l)
		if l.Postcode != offer.Postcode {
			t.Fatalf("its own member sees the postcode %q; want %q", l.Postcode, offer.Postcode)
		}
	})
	t.Run("OtherMembersSeeNoContactAddress", func(t *testing.T) {
		// Contact goes through an enquiry on an offer.
		var p map[string]any
		ts.do(t, "GET", "/v1/members/"+active.ID, lapsedOwner, nil).must(t, 200).decode(t, &p)
		if _, ok := p["email"]; ok || p["district"] != "LS7" {
			t.Fatalf("a signed-in member sees %v; want the district and no address", p)
		}
	})
}

// openAPIOperation is what the walk reads of an operation.
type openAPIOperation struct {
	Security []map[string]any `json:"security"`
}

// openAPIPaths is what the walk reads of the document: its operations by
// path and method.
type openAPIPaths struct {
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

// openAPIDocument reads the API's own document.
func openAPIDocument(tb testing.TB) openAPIPaths {
	tb.Helper()
	var doc openAPIPaths
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc
}
