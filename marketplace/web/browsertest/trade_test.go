package browsertest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/workers/mail/mailtest"
)

// mailTo waits for a mail to the address whose subject holds subject.
func mailTo(t *testing.T, smtp *mailtest.Server, to, subject string) mailtest.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, m := range smtp.Messages() {
			if len(m.To) == 1 && m.To[0] == to && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s about %q", to, subject)
		}
		smtp.Wait(t, len(smtp.Messages())+1, time.Until(deadline))
	}
}

// TestEnquiryToDeal goes the whole way of an enquiry: a member of the
// public finds an offer, writes to the supplier and confirms its address;
// the supplier answers on the site; the buyer answers by mail (through the
// inbound endpoint); the supplier reports the deal, the buyer confirms it,
// and the staff's figures show it under "enquiry".
func TestEnquiryToDeal(t *testing.T) {
	smtp := mailtest.NewServer(t)
	s := webtest.NewServer(t, webtest.Options{SMTP: smtp})
	b := sharedBrowser(t)
	printers, owner := s.AddMember(t, &marketplace.Member{Name: "Calder Letterpress", Email: "hello@calder.example",
		Postcode: "HX7 8AD", Sectors: []string{"printing-publishing"}})
	offer := s.Publish(t, owner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Letterpress wedding invitations",
		Description: "Hand-set type on cotton paper.", Category: "print-runs", Postcode: "HX7 8AD", RadiusKM: 100,
		PriceMinPence: 20000, PriceMaxPence: 90000, PriceUnit: "job"})
	s.WaitIndexed(t, offer.ID)

	// The public finds the offer and writes.
	buyer := b.NewTab(t, s.URL, webtest.Desktop)
	buyer.ClearCookies()
	buyer.Go("/search?lang=en&q=letterpress")
	buyer.ClickLink(".hits", offer.Title)
	if strings.Contains(buyer.Text("main"), printers.Email) {
		t.Fatal("the offer's page shows the co-op's address")
	}
	buyer.Check("listing-enquiry")
	buyer.Fill("#f-name", "Sam Jones")
	buyer.Fill("#f-email", "sam@example.org")
	buyer.Fill("#f-body", "Could you print 80 invitations by March?")
	if st := submit(buyer, "/listings/"+offer.ID+"/enquiry"); st != 200 {
		t.Fatalf("sending the enquiry: %d", st)
	}
	if got := buyer.Text("h1"); got != "Check your e-mail" {
		t.Fatalf("after sending: %q", got)
	}
	buyer.Check("enquiry-sent")

	// It confirms its address from the mail.
	m := mailTo(t, smtp, "sam@example.org", offer.Title)
	link := regexp.MustCompile(`/enquiries/confirm\?thread=[0-9a-f]+&token=[0-9a-f]+`).FindString(m.Text)
	buyer.Go(link)
	buyer.Check("enquiry-confirm")
	if st := submit(buyer, "/enquiries/confirm"); st != 200 {
		t.Fatalf("confirming: %d", st)
	}
	if got := buyer.Text("main"); !strings.Contains(got, "your message has been sent") {
		t.Fatalf("after confirming: %q", got)
	}
	threadID := regexp.MustCompile(`thread=([0-9a-f]+)`).FindStringSubmatch(link)[1]

	// The supplier answers on the site.
	supplier := b.NewTab(t, s.URL, webtest.Desktop)
	supplier.ClearCookies()
	supplier.Go("/login?lang=en")
	signIn(t, supplier, owner.Email)
	supplier.Go("/threads")
	supplier.Check("threads")
	supplier.ClickLink("main", offer.Title)
	supplier.Fill("#f-body", "Yes: £240 for 80, in three weeks.")
	if st := submit(supplier, "/threads/"+threadID+"/messages"); st != 200 {
		t.Fatalf("answering: %d", st)
	}
	supplier.Check("thread")

	// The buyer answers by mail: its reply reaches the thread through
	// the inbound endpoint, quote trimmed.
	m = mailTo(t, smtp, "sam@example.org", "New message")
	replyTo := strings.Trim(m.Header.Get("Reply-To"), "<>")
	raw := fmt.Sprintf("From: Sam Jones <sam@example.org>\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <sam-1@example.org>\r\n\r\n"+
		"Lovely, please go ahead.\r\n\r\nOn Thu, 3 Dec 2026, Marketplace wrote:\r\n> Yes: £240 for 80\r\n", replyTo, m.Subject)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/inbound/mail", strings.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+webtest.InboundSecret)
	req.Header.Set("Content-Type", "message/rfc822")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"added":true`) {
		t.Fatalf("the reply by mail: %d %s", res.StatusCode, body)
	}

	// The supplier sees it and reports the deal.
	supplier.Go("/threads/" + threadID)
	if got := supplier.Text(".thread"); !strings.Contains(got, "Lovely, please go ahead.") || strings.Contains(got, "> Yes") {
		t.Fatalf("the thread after the reply by mail: %q", got)
	}
	supplier.Fill("#f-value", "240")
	supplier.Fill("#f-date", time.Now().Format("2006-01-02"))
	supplier.Fill("#f-what", "80 letterpress wedding invitations")
	if st := submit(supplier, "/threads/"+threadID+"/deals"); st != 200 {
		t.Fatalf("reporting the deal: %d", st)
	}
	supplier.Check("thread-deal")

	// The buyer confirms it through its link.
	m = mailTo(t, smtp, "sam@example.org", "A deal to confirm")
	own := regexp.MustCompile(`/threads/[0-9a-f]+\?token=[0-9a-f]+`).FindString(m.Text)
	buyer.ClearCookies() // the tabs share a browser, which the supplier signed in
	buyer.Go(own)
	buyer.Check("thread-public")
	if st := buyer.Click(`main form[action$="/confirm"] button[type=submit]`); st != 200 {
		t.Fatalf("confirming the deal: %d", st)
	}
	if got := buyer.Text("#deals + p + article"); !strings.Contains(got, "Confirmed") {
		t.Fatalf("the deal after confirming: %q", got)
	}

	// Staff see it under "enquiry".
	staff := b.NewTab(t, s.URL, webtest.Desktop)
	signInStaff(t, staff, "en")
	staff.Go("/staff/figures")
	if got := staff.Text("#trade-origin-caption + thead + tbody"); !strings.Contains(got, "From an enquiry 1 £240") {
		t.Fatalf("the figures by origin: %q", got)
	}
	staff.Check("staff-figures-trade")
}

// TestJointQuoteToDeal: a need gets two quotes and one joint quote from
// three co-ops; the lead drafts the joint quote on the pages, inviting the
// co-op the marketplace suggests for the part its offers lack; the partner
// accepts its part and the lead sends it; the need's co-op compares them
// side by side and accepts the joint quote; the staff's figures show the
// deal split by partner.
func TestJointQuoteToDeal(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	b := sharedBrowser(t)
	_, kitchenOwner := s.AddMember(t, &marketplace.Member{Name: "Chapeltown Kitchen", Email: "hello@kitchen.example", Postcode: "LS7 3AA", Sectors: []string{"food-catering"}})
	_, printOwner := s.AddMember(t, &marketplace.Member{Name: "Leeds Print Workers", Email: "hello@print.example", Postcode: "LS9 8AB", Sectors: []string{"printing-publishing"}})
	signs, signOwner := s.AddMember(t, &marketplace.Member{Name: "Kirkstall Sign Painters", Email: "hello@signs.example", Postcode: "LS5 3AA", Sectors: []string{"printing-publishing"}})
	_, risoOwner := s.AddMember(t, &marketplace.Member{Name: "Cardiff Riso Collective", Email: "helo@riso.example", Postcode: "CF24 2DG", Sectors: []string{"printing-publishing"}})
	deadline := time.Now().AddDate(0, 2, 0)
	need := s.Publish(t, kitchenOwner, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "Menus and signs for our second café",
		Category: "print-runs", Tags: []string{"menus", "painted signs"}, Postcode: "LS7 3AA", PriceMinPence: 50000, PriceMaxPence: 150000, PriceUnit: "job", Deadline: &deadline})
	for _, l := range []*marketplace.Listing{need,
		s.Publish(t, printOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Menus, litho printed", Category: "print-runs",
			Tags: []string{"menus"}, Postcode: "LS9 8AB", RadiusKM: 50}),
		s.Publish(t, signOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Shop signs, painted by hand", Category: "print-runs",
			Tags: []string{"painted signs"}, Postcode: "LS5 3AA", RadiusKM: 50}),
	} {
		// As the match job does, whenever it runs.
		if err := s.Service.MatchListing(context.Background(), l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
	}
	valid := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	for _, q := range []struct {
		owner  *marketplace.User
		pence  int64
		covers string
	}{{risoOwner, 90000, "Menus, risograph"}, {printOwner, 80000, "Menus, litho"}} {
		if _, err := s.Service.SendQuote(webtest.As(q.owner), need.ID, marketplace.QuoteInput{PricePence: q.pence, PriceUnit: "job", Covers: q.covers, ValidUntil: valid}); err != nil {
			t.Fatal(err)
		}
	}

	tab := b.NewTab(t, s.URL, webtest.Desktop)
	as := func(u *marketplace.User) {
		tab.ClearCookies()
		tab.Go("/login?lang=en")
		signIn(t, tab, u.Email)
		tab.Go("/listings/" + need.ID)
	}
	// The lead drafts the joint quote on the pages, with the co-op the
	// marketplace suggests for the signs.
	as(printOwner)
	if st := tab.ClickLink("main", "Answer together with other co-ops"); st != 200 {
		t.Fatalf("opening the joint quote: %d", st)
	}
	if got := tab.Text(".partner-suggestions"); !strings.Contains(got, "Kirkstall Sign Painters") || !strings.Contains(got, "painted signs") {
		t.Fatalf("the suggestions: %q", got)
	}
	tab.Check("joint-quote")
	tab.Fill("#f-price", "1200")
	tab.Fill("#f-covers", "Menus printed and signs hand-painted")
	tab.Fill("#f-valid-until", valid)
	tab.Fill("#f-part0-share", "700")
	if st := tab.Click(`button[value^="invite:` + signs.ID + `:"]`); st != 200 {
		t.Fatalf("inviting the sign painters: %d", st)
	}
	tab.Fill("#f-part1-share", "lots")
	if st := tab.Click(`button[value="draft"]`); st != 422 {
		t.Fatalf("a share that is no amount: %d", st)
	}
	if got := tab.Text("#error-summary"); !strings.Contains(got, "Enter the co-op's share in pounds") {
		t.Fatalf("the errors: %q", got)
	}
	tab.Check("joint-quote-errors")
	tab.Fill("#f-part1-share", "500")
	if st := tab.Click(`button[value="draft"]`); st != 200 {
		t.Fatalf("drafting: %d", st)
	}
	if got := tab.Text("main"); !strings.Contains(got, "The joint quote is drafted") {
		t.Fatalf("after drafting: %q", got)
	}
	mine, err := s.Service.FindMyQuotes(webtest.As(printOwner))
	if err != nil {
		t.Fatal(err)
	}
	var joint *marketplace.Quote
	for _, q := range mine {
		if q.Joint() {
			joint = q
		}
	}
	if joint == nil || joint.PricePence != 120000 || len(joint.Parts) != 2 || joint.Parts[1].MemberID != signs.ID {
		t.Fatalf("the draft: %+v", joint)
	}

	// The partner accepts its part; the lead sends the joint quote.
	as(signOwner)
	if st := submit(tab, "/quotes/"+joint.ID+"/join"); st != 200 {
		t.Fatalf("joining: %d", st)
	}
	tab.Check("quote-partner")
	as(printOwner)
	if got := tab.Text("#quotes-caption + thead + tbody"); strings.Contains(got, "risograph") {
		t.Fatalf("a quoting co-op sees another's quote: %q", got)
	}
	if st := submit(tab, "/quotes/"+joint.ID+"/send"); st != 200 {
		t.Fatalf("sending: %d", st)
	}

	// The need's co-op compares three quotes and accepts the joint one.
	as(kitchenOwner)
	rows := tab.Text("#quotes-caption + thead + tbody")
	for _, want := range []string{"Menus, risograph", "Menus, litho", "Kirkstall Sign Painters: £500"} {
		if !strings.Contains(rows, want) {
			t.Fatalf("the quotes side by side lack %q: %q", want, rows)
		}
	}
	tab.Check("quotes-side-by-side")
	if st := submit(tab, "/quotes/"+joint.ID+"/accept"); st != 200 {
		t.Fatalf("accepting: %d", st)
	}

	// The staff's figures split the deal by partner.
	signInStaff(t, tab, "en")
	tab.Go("/staff/figures")
	got := tab.Text("#trade-supplier-caption + thead + tbody")
	if !strings.Contains(got, "Leeds Print Workers 1 £700") || !strings.Contains(got, "Kirkstall Sign Painters 0 £500") {
		t.Fatalf("the figures by supplier: %q", got)
	}
	if got := tab.Text("#trade-origin-caption + thead + tbody"); !strings.Contains(got, "From a joint quote 1 £1,200") {
		t.Fatalf("the figures by origin: %q", got)
	}
}
