package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// TestJointQuotePages drafts a joint quote on the pages: the need's page
// leads to the form, which suggests the co-op whose offer covers the tag
// the lead's offers lack, with the matcher's reasons; inviting it adds its
// row; a share that is not an amount and shares that do not add up come
// back worded at their fields; the draft is made and each partner invited.
// A worker member, whose offer covers the tag too, is neither suggested nor
// added.
// A third member sees nothing of it, and the need's own co-op cannot
// draft one.
func TestJointQuotePages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, _, ua, ub := twoMembers(t, s)
	gilders, uc := s.AddMember(t, &marketplace.Member{Name: "Gilders Together", Email: "hello@gilders.example", Postcode: "LS6 1AA", Sectors: []string{"printing-publishing"}})
	_, ud := s.AddMember(t, &marketplace.Member{Name: "Nosy Prints", Email: "hello@nosy.example", Postcode: "LS6 1AA", Sectors: []string{"printing-publishing"}})
	// A worker member is a person, who cannot join a consortium.
	worker, uw := s.AddMember(t, &marketplace.Member{Kind: marketplace.MemberWorker, Name: "Sam Gilder", Email: "sam@gilder.example", Postcode: "LS6 1AA"})
	deadline := time.Now().AddDate(0, 2, 0)
	need := s.Publish(t, ub, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "Menus and a gold leaf sign", Category: "print-runs",
		Tags: []string{"leaflets", "gold leaf"}, Postcode: "EH6 6QU", PriceMinPence: 10000, PriceMaxPence: 90000, PriceUnit: "job", Deadline: &deadline})
	listings := []*marketplace.Listing{need,
		s.Publish(t, ua, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Menus and leaflets, litho", Category: "print-runs", Tags: []string{"leaflets"}, Remote: true}),
		s.Publish(t, uc, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Gold leaf signs, hand gilded", Category: "print-runs", Tags: []string{"gold leaf"}, Remote: true}),
		s.Publish(t, uw, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Gold leaf lettering by hand", Category: "print-runs", Tags: []string{"gold leaf"}, Remote: true}),
	}
	for _, l := range listings { // as the match jobs do, whenever they run
		if err := s.Service.MatchListing(context.Background(), l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
	}
	validUntil := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	path := "/listings/" + need.ID + "/joint-quote"

	lead := signedIn(t, s, ua)
	if p := lead.Get("/listings/" + need.ID); !strings.Contains(p.Body, `href="`+path+`"`) {
		t.Fatalf("the need's page does not lead to the joint quote:\n%.3000s", p.Text())
	}
	p := lead.Get(path)
	invite := regexp.MustCompile(`name="action" value="(invite:` + gilders.ID + `:print-runs)"`).FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || invite == nil || !strings.Contains(p.Text(), "the tag “gold leaf”") || !strings.Contains(p.Text(), "Tags in common: gold leaf") {
		t.Fatalf("the form does not suggest the gilders with the matcher's reasons: %d\n%.4000s", p.Status, p.Text())
	}
	if strings.Contains(p.Body, worker.ID) || strings.Contains(p.Text(), worker.Name) {
		t.Errorf("a worker member is suggested:\n%.4000s", p.Text())
	}
	if p := lead.Post(path, url.Values{"action": {"add"}, "partner": {worker.ID}}); p.Status != http.StatusUnprocessableEntity || strings.Contains(p.Body, `name="part1_member"`) {
		t.Errorf("a worker member added as a partner: %d", p.Status)
	}
	lead.Get(path)
	quote := url.Values{"price": {"500"}, "price_unit": {"job"}, "covers": {"Menus, and the sign gilded"}, "valid_until": {validUntil},
		"part0_category": {"print-runs"}, "part0_share": {"300"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range quote {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	p = lead.Post(path, with("action", "add", "partner", "no-such-coop"))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-partner-error"`) || !strings.Contains(p.Text(), "There is no co-op at that address") {
		t.Fatalf("adding an unknown co-op: %d\n%.4000s", p.Status, p.Text())
	}
	p = lead.Post(path, with("action", invite[1]))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `name="part1_member" value="`+gilders.ID+`"`) || strings.Contains(p.Body, `value="invite:`+gilders.ID) {
		t.Fatalf("inviting: %d\n%.4000s", p.Status, p.Text())
	}
	if !strings.Contains(p.Body, `value="Menus, and the sign gilded"`) && !strings.Contains(p.Body, `>Menus, and the sign gilded<`) {
		t.Errorf("the form lost what was typed:\n%.3000s", p.Text())
	}
	row := with("part1_member", gilders.ID, "part1_name", gilders.Name, "part1_category", "print-runs")

	// A share that is not an amount, then shares that do not add up.
	row.Set("action", "draft")
	row.Set("part1_share", "lots")
	p = lead.Post(path, row)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-part1-share-error"`) || !strings.Contains(p.Text(), "Enter the co-op's share in pounds") {
		t.Fatalf("a bad share: %d\n%.4000s", p.Status, p.Text())
	}
	row.Set("part1_share", "150")
	p = lead.Post(path, row)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "The shares must add up to the price.") {
		t.Fatalf("shares that do not add up: %d\n%.4000s", p.Status, p.Text())
	}
	// In Welsh too.
	lead.Lang = "cy"
	if p := lead.Post(path, row); !strings.Contains(p.Text(), "Rhaid i'r cyfrannau adio i'r pris.") {
		t.Errorf("in Welsh:\n%.3000s", p.Text())
	}
	lead.Lang = ""
	if q, _ := s.Service.FindNeedQuotes(webtest.As(ua), need.ID); len(q) != 0 {
		t.Fatalf("a quote was drafted from a wrong form: %+v", q)
	}
	row.Set("part1_share", "200")
	p = lead.Post(path, row)
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "The joint quote is drafted") || !strings.Contains(p.Text(), "Gilders Together: £200") {
		t.Fatalf("drafting: %d at %s\n%.4000s", p.Status, p.URL, p.Text())
	}
	qs, err := s.Service.FindNeedQuotes(webtest.As(ua), need.ID)
	if err != nil || len(qs) != 1 || qs[0].Status != marketplace.QuoteDraft || len(qs[0].Parts) != 2 || qs[0].Parts[1].MemberID != gilders.ID {
		t.Fatalf("the draft: %+v, %v", qs, err)
	}
	// The gilders are invited now, so no longer suggested.
	if p := lead.Get(path); strings.Contains(p.Body, `value="invite:`+gilders.ID) {
		t.Error("an invited co-op is still suggested")
	}

	// A third member sees nothing of the draft and cannot join it.
	nosy := signedIn(t, s, ud)
	if p := nosy.Get("/listings/" + need.ID); strings.Contains(p.Text(), "the sign gilded") {
		t.Errorf("a third member sees the draft:\n%.3000s", p.Text())
	}
	if p := nosy.Get(path); strings.Contains(p.Text(), "the sign gilded") {
		t.Errorf("a third member's form shows the draft:\n%.3000s", p.Text())
	}
	if p := nosy.Post("/quotes/"+qs[0].ID+"/join", url.Values{}); p.Status != http.StatusNotFound {
		t.Errorf("a third member joins: %d", p.Status)
	}
	// The need's own co-op cannot draft one.
	if p := signedIn(t, s, ub).Get(path); p.Status != http.StatusForbidden {
		t.Errorf("the need's co-op opens the form: %d", p.Status)
	}
}
