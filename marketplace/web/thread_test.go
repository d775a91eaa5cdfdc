package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/workers/mail/mailtest"
)

// waitMail waits for a mail to the address whose subject holds subject.
func waitMail(t *testing.T, smtp *mailtest.Server, to, subject string) mailtest.Message {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for n := 1; ; n++ {
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

// TestEnquiryPages goes through an enquiry on the pages: the offer's page
// shows no address but a form; a member of the public writes (in Welsh,
// with a mistake first), confirms its address from the mail, reads the
// supplier's answer through its link and answers; another member finds
// nothing.
func TestEnquiryPages(t *testing.T) {
	smtp := mailtest.NewServer(t)
	s := webtest.NewServer(t, webtest.Options{SMTP: smtp})
	a, b, ua, ub := twoMembers(t, s)
	offer := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Letterpress wedding stationery", Category: "print-runs", Postcode: "HX7", RadiusKM: 80}
	if err := s.Service.CreateListing(webtest.As(ua), offer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service.PublishListing(webtest.As(ua), offer.ID, offer.Version); err != nil {
		t.Fatal(err)
	}

	public := s.NewClient(t)
	p := public.Get("/listings/" + offer.ID)
	if strings.Contains(p.Body, a.Email) || !strings.Contains(p.Body, `action="/listings/`+offer.ID+`/enquiry"`) {
		t.Fatalf("the offer's page shows the address, or no form to write:\n%.3000s", p.Text())
	}
	if p := public.Get("/coops/" + a.Slug); strings.Contains(p.Body, a.Email) {
		t.Error("the co-op's page shows its address")
	}
	if p := signedIn(t, s, ub).Get("/coops/" + a.Slug); strings.Contains(p.Body, a.Email) {
		t.Error("the co-op's page shows its address to another member")
	}

	// A mistake, in Welsh: the form comes back with the words kept.
	public.Lang = "cy"
	public.Get("/listings/" + offer.ID)
	p = public.Post("/listings/"+offer.ID+"/enquiry", url.Values{"name": {"Siân"}, "email": {"not an address"}, "body": {"Faint am 80 o wahoddiadau?"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Eich cyfeiriad e-bost") || !strings.Contains(p.Body, "Faint am 80 o wahoddiadau?") {
		t.Fatalf("a bad address: %d\n%.2000s", p.Status, p.Text())
	}
	p = public.Post("/listings/"+offer.ID+"/enquiry", url.Values{"name": {"Siân"}, "email": {"sian@example.org"}, "body": {"Faint am 80 o wahoddiadau?"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Edrychwch ar eich e-bost") {
		t.Fatalf("sending: %d\n%.2000s", p.Status, p.Text())
	}
	m := waitMail(t, smtp, "sian@example.org", "Letterpress wedding stationery")
	link := regexp.MustCompile(`/enquiries/confirm\?thread=[0-9a-f]+&token=[0-9a-f]+`).FindString(m.Text)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", m.Text)
	}
	public.Get(link)
	p = public.Post("/enquiries/confirm", url.Values{"thread": {regexp.MustCompile(`thread=([0-9a-f]+)`).FindStringSubmatch(link)[1]},
		"token": {regexp.MustCompile(`token=([0-9a-f]+)`).FindStringSubmatch(link)[1]}})
	if p.Status != http.StatusOK || !strings.Contains(p.URL, "/threads/") || !strings.Contains(p.Text(), "Faint am 80 o wahoddiadau?") {
		t.Fatalf("confirming: %d at %s\n%.2000s", p.Status, p.URL, p.Text())
	}
	threadID := regexp.MustCompile(`/threads/([0-9a-f]+)`).FindStringSubmatch(p.URL)[1]

	// The supplier reads and answers on the site, in English.
	supplier := signedIn(t, s, ua)
	if p := supplier.Get("/threads"); !strings.Contains(p.Text(), "From Siân") {
		t.Fatalf("the supplier's messages:\n%.2000s", p.Text())
	}
	p = supplier.Get("/threads/" + threadID)
	if !strings.Contains(p.Text(), "Siân wrote to you about your offer") || strings.Contains(p.Body, "sian@example.org") {
		t.Fatalf("the supplier's thread:\n%.2000s", p.Text())
	}
	if p := supplier.Post("/threads/"+threadID+"/messages", url.Values{"body": {" "}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an empty answer: %d", p.Status)
	}
	p = supplier.Post("/threads/"+threadID+"/messages", url.Values{"body": {"£3 each, <b>hand-set</b> type."}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Your answer has been sent") || !strings.Contains(p.Body, html.EscapeString("<b>hand-set</b>")) {
		t.Fatalf("answering: %d\n%.2000s", p.Status, p.Text())
	}

	// Another member, and the public without the link, find nothing.
	if p := signedIn(t, s, ub).Get("/threads/" + threadID); p.Status != http.StatusNotFound {
		t.Errorf("another member reads the thread: %d", p.Status)
	}
	if p := s.NewClient(t).Get("/threads/" + threadID); p.Status != http.StatusNotFound {
		t.Errorf("the public reads the thread: %d", p.Status)
	}

	// The buyer hears by mail and answers through its link.
	m = waitMail(t, smtp, "sian@example.org", "Neges newydd")
	if strings.Contains(string(m.Raw), ua.Email) || strings.Contains(string(m.Raw), b.Email) {
		t.Error("the buyer's mail gives away an address")
	}
	own := regexp.MustCompile(`/threads/[0-9a-f]+\?token=[0-9a-f]+`).FindString(m.Text)
	p = public.Get(own)
	if !strings.Contains(p.Text(), "£3 each") {
		t.Fatalf("the buyer's link:\n%.2000s", p.Text())
	}
	token := regexp.MustCompile(`token=([0-9a-f]+)`).FindStringSubmatch(own)[1]
	p = public.Post("/threads/"+threadID+"/messages", url.Values{"token": {token}, "body": {"Gwych, diolch!"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Gwych, diolch!") {
		t.Fatalf("the buyer's answer: %d\n%.2000s", p.Status, p.Text())
	}
	waitMail(t, smtp, ua.Email, "New message")

	// The supplier reports the deal; a wrong value comes back worded.
	supplier.Get("/threads/" + threadID)
	if p := supplier.Post("/threads/"+threadID+"/deals", url.Values{"value": {"lots"}, "date": {"2026-11-20"}, "what": {"80 invitations"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Enter the value in pounds") {
		t.Fatalf("a bad value: %d\n%.2000s", p.Status, p.Text())
	}
	p = supplier.Post("/threads/"+threadID+"/deals", url.Values{"value": {"240"}, "date": {"2026-11-20"}, "what": {"80 invitations"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Waiting for the other side") || strings.Contains(p.Body, `action="/deals/`) {
		t.Fatalf("reporting: %d\n%.3000s", p.Status, p.Text())
	}
	// The buyer confirms it through its link, in Welsh.
	waitMail(t, smtp, "sian@example.org", "Bargen i'w chadarnhau")
	p = public.Get(own)
	dealID := regexp.MustCompile(`action="/deals/([0-9a-f]+)/confirm"`).FindStringSubmatch(p.Body)
	if dealID == nil {
		t.Fatalf("no way to confirm the deal:\n%.3000s", p.Text())
	}
	p = public.Post("/deals/"+dealID[1]+"/confirm", url.Values{"token": {token}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Wedi'i chadarnhau") {
		t.Fatalf("confirming: %d\n%.3000s", p.Status, p.Text())
	}
	if p := signedIn(t, s, ua).Get("/deals"); !strings.Contains(p.Text(), "1 confirmed deal, worth £240.") {
		t.Errorf("the supplier's trade:\n%.2000s", p.Text())
	}
	// Twenty older deals more: the list goes on to a second page, and the
	// summary counts every page.
	for i := range 20 {
		at := time.Date(2026, 10, 1, 9, i, 0, 0, time.UTC)
		d := &marketplace.Deal{Origin: marketplace.OriginSearch, SupplierMemberID: a.ID, SupplierName: a.Name, BuyerName: "Ann",
			ValuePence: 100, Date: "2026-10-01", What: "Order number " + strconv.Itoa(i), ReportedBy: marketplace.SideBuyer,
			Status: marketplace.DealConfirmed, Version: 1, CreatedAt: at, UpdatedAt: at}
		if err := s.Service.Deals.CreateDeal(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	mine := signedIn(t, s, ua)
	p = mine.Get("/deals")
	next := regexp.MustCompile(`href="(/deals\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(p.Body)
	if next == nil || !strings.Contains(p.Text(), "21 confirmed deals, worth £260.") || !strings.Contains(p.Text(), "80 invitations") ||
		strings.Contains(p.Text(), "Order number 0") {
		t.Fatalf("the first page of the supplier's trade:\n%.3000s", p.Text())
	}
	p = mine.Get(html.UnescapeString(next[1]))
	if !strings.Contains(p.Text(), "Order number 0") || strings.Contains(p.Text(), "Order number 1 ") || strings.Contains(p.Body, `rel="next"`) {
		t.Fatalf("the second page of the supplier's trade:\n%.3000s", p.Text())
	}
	// So do its conversations, with twenty older ones more.
	for i := range 20 {
		at := time.Date(2026, 10, 1, 9, i, 0, 0, time.UTC)
		th := &marketplace.Thread{Kind: marketplace.ThreadEnquiry, Status: marketplace.ThreadOpen, ListingID: offer.ID,
			ListingTitle: "Old conversation " + strconv.Itoa(i), SupplierMemberID: a.ID, SupplierName: a.Name, BuyerName: "Ann",
			People: []*marketplace.ThreadPerson{}, Messages: []*marketplace.ThreadMessage{}, Version: 1, CreatedAt: at, UpdatedAt: at}
		if err := s.Service.Threads.CreateThread(context.Background(), th); err != nil {
			t.Fatal(err)
		}
	}
	p = mine.Get("/threads")
	next = regexp.MustCompile(`href="(/threads\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(p.Body)
	if next == nil || !strings.Contains(p.Text(), "Letterpress wedding stationery") || strings.Contains(p.Text(), "Old conversation 0") {
		t.Fatalf("the first page of the supplier's conversations:\n%.3000s", p.Text())
	}
	p = mine.Get(html.UnescapeString(next[1]))
	if !strings.Contains(p.Text(), "Old conversation 0") || strings.Contains(p.Text(), "Letterpress wedding stationery") || strings.Contains(p.Body, `rel="next"`) {
		t.Fatalf("the second page of the supplier's conversations:\n%.3000s", p.Text())
	}

	// Staff see it under "From an enquiry", and download the table.
	staff := s.NewClient(t)
	staff.SignIn(s.StaffUser().Email, webtest.StaffPassword)
	p = staff.Get("/staff/figures?from=2026-01&to=2026-12")
	if !regexp.MustCompile(`From an enquiry 1 £240 `).MatchString(p.Text()) {
		t.Fatalf("the staff's figures:\n%.5000s", p.Text())
	}
	p = staff.Get("/staff/figures/trade.csv?table=origin&from=2026-01&to=2026-12")
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") || !strings.Contains(p.Body, "From an enquiry,enquiry,1,24000,£240") {
		t.Fatalf("the CSV: %d %s\n%s", p.Status, p.Header.Get("Content-Type"), p.Body)
	}
	// By the region of the offer's district (HX7, Calderdale).
	p = staff.Get("/staff/figures/trade.csv?table=region&from=2026-01&to=2026-12")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Region,key,") || !strings.Contains(p.Body, "Yorkshire and the Humber,yorkshire-humber,1,24000,£240") {
		t.Fatalf("the CSV by region: %d\n%s", p.Status, p.Body)
	}
	if p := staff.Get("/staff/figures?from=2026-01&to=2026-12"); !strings.Contains(p.Text(), "Confirmed trade by region") {
		t.Errorf("the staff's figures have no table by region:\n%.5000s", p.Text())
	}
	if p := supplier.Get("/staff/figures/trade.csv?table=origin"); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("a member downloads the figures: %d", p.Status)
	}

	// The supplier reports the buyer's last message; staff see the thread
	// and hide it.
	if p := staff.Get("/staff/threads"); !strings.Contains(p.Text(), "No message is reported") {
		t.Fatalf("staff's reported messages before any report:\n%.2000s", p.Text())
	}
	supplier.Get("/threads/" + threadID)
	p = supplier.Post("/threads/"+threadID+"/messages/3/report", url.Values{"reason": {"Rude"}})
	if !strings.Contains(p.Text(), "staff will look at the message") {
		t.Fatalf("reporting:\n%.2000s", p.Text())
	}
	p = staff.Get("/staff/threads/" + threadID)
	if !strings.Contains(p.Text(), "Rude") || !strings.Contains(p.Text(), "Gwych, diolch!") {
		t.Fatalf("the reported thread, to staff:\n%.3000s", p.Text())
	}
	p = staff.Post("/staff/threads/"+threadID+"/messages/3/hide", url.Values{"note": {"Not rude after all, but hidden to test."}})
	if !strings.Contains(p.Text(), "The message is hidden") {
		t.Fatalf("hiding:\n%.2000s", p.Text())
	}
	if p := supplier.Get("/threads/" + threadID); strings.Contains(p.Text(), "Gwych, diolch!") || !strings.Contains(p.Text(), "hidden by the marketplace's staff") {
		t.Errorf("the hidden message, to the supplier:\n%.3000s", p.Text())
	}
}

// TestQuotePages answers a need with two quotes on the pages: each quoting
// co-op sees only its own, the need's co-op sees both side by side and
// accepts one, which becomes a deal in both sides' trade.
func TestQuotePages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, _, ua, ub := twoMembers(t, s)
	_, uc := s.AddMember(t, &marketplace.Member{Name: "Bristol Riso", Email: "hello@riso.example", Postcode: "BS1 4DJ", Sectors: []string{"printing-publishing"}})
	deadline := time.Now().AddDate(0, 2, 0)
	need := s.Publish(t, ub, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "Menus for a café opening", Category: "print-runs",
		Postcode: "EH6 6QU", PriceMinPence: 10000, PriceMaxPence: 50000, PriceUnit: "job", Deadline: &deadline})
	validUntil := time.Now().AddDate(0, 1, 0).Format("2006-01-02")

	printer := signedIn(t, s, ua)
	printer.Get("/listings/" + need.ID)
	p := printer.Post("/listings/"+need.ID+"/quote", url.Values{"price": {"nothing"}, "price_unit": {"job"}, "covers": {""}, "valid_until": {validUntil}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Enter the price in pounds") {
		t.Fatalf("a bad quote: %d\n%.3000s", p.Status, p.Text())
	}
	p = printer.Post("/listings/"+need.ID+"/quote", url.Values{"price": {"320"}, "price_unit": {"job"}, "covers": {"200 menus, A4 card"}, "valid_until": {validUntil}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Your quote has been sent") {
		t.Fatalf("quoting: %d\n%.3000s", p.Status, p.Text())
	}
	riso := signedIn(t, s, uc)
	riso.Get("/listings/" + need.ID)
	riso.Post("/listings/"+need.ID+"/quote", url.Values{"price": {"290"}, "price_unit": {"job"}, "covers": {"200 menus, risograph"}, "valid_until": {validUntil}})
	if p := riso.Get("/listings/" + need.ID); !strings.Contains(p.Text(), "200 menus, risograph") || strings.Contains(p.Text(), "A4 card") {
		t.Fatalf("a quoting co-op sees:\n%.3000s", p.Text())
	}

	cafe := signedIn(t, s, ub)
	p = cafe.Get("/listings/" + need.ID)
	if !strings.Contains(p.Text(), "A4 card") || !strings.Contains(p.Text(), "risograph") {
		t.Fatalf("the need's co-op sees:\n%.3000s", p.Text())
	}
	accept := regexp.MustCompile(`action="(/quotes/[0-9a-f]+/accept)"`).FindAllStringSubmatch(p.Body, -1)
	if len(accept) != 2 {
		t.Fatalf("%d accept buttons; want 2", len(accept))
	}
	p = cafe.Post(accept[0][1], url.Values{})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "The quote is accepted") {
		t.Fatalf("accepting: %d\n%.3000s", p.Status, p.Text())
	}
	if p := printer.Get("/deals"); !strings.Contains(p.Text(), "1 confirmed deal, worth £320.") || !strings.Contains(p.Text(), "From a quote") {
		t.Errorf("the printer's trade:\n%.2000s", p.Text())
	}

	// A joint quote: the partner accepts its part on the page, then the
	// lead sends it, and the need's co-op sees it with both parts.
	need2 := s.Publish(t, ub, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "Signs for a café opening", Category: "print-runs",
		Postcode: "EH6 6QU", PriceMinPence: 10000, PriceMaxPence: 90000, PriceUnit: "job", Deadline: &deadline})
	q, err := s.Service.SendJointQuote(webtest.As(ua), need2.ID, marketplace.JointQuoteInput{
		QuoteInput: marketplace.QuoteInput{PricePence: 60000, PriceUnit: "job", Covers: "Signs, printed and painted", ValidUntil: validUntil},
		Parts: []marketplace.PartInput{{MemberID: ua.MemberID, Categories: []string{"print-runs"}, SharePence: 35000},
			{MemberID: uc.MemberID, Categories: []string{"print-runs"}, SharePence: 25000}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := cafe.Get("/listings/" + need2.ID); strings.Contains(p.Text(), "Signs, printed and painted") {
		t.Fatal("the need's co-op sees a draft")
	}
	riso.Get("/listings/" + need2.ID)
	if p := riso.Post("/quotes/"+q.ID+"/join", url.Values{}); !strings.Contains(p.Text(), "You have accepted your part") {
		t.Fatalf("joining:\n%.2000s", p.Text())
	}
	printer.Get("/listings/" + need2.ID)
	if p := printer.Post("/quotes/"+q.ID+"/send", url.Values{}); !strings.Contains(p.Text(), "Your quote has been sent") {
		t.Fatalf("sending:\n%.2000s", p.Text())
	}
	if p := cafe.Get("/listings/" + need2.ID); !strings.Contains(p.Text(), "Bristol Riso: £250") || !strings.Contains(p.Text(), "Hebden Print Co-op: £350") {
		t.Errorf("the joint quote, to the need's co-op:\n%.3000s", p.Text())
	}
}
