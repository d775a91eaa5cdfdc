package browsertest_test

import (
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
