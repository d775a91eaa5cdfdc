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
	"cooptrade/workers/mail/mailtest"
)

// TestEnquirerDataPages goes through a member of the public's data as an
// enquirer on the pages, in Welsh: the privacy notice links to the page;
// the same answer for an address nobody wrote from; the mailed link
// downloads the data once; a second link erases it after the box is
// ticked, and the supplier's thread page says so.
func TestEnquirerDataPages(t *testing.T) {
	smtp := mailtest.NewServer(t)
	s := webtest.NewServer(t, webtest.Options{SMTP: smtp})
	_, _, ua, _ := twoMembers(t, s)
	offer := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Screen-printed tea towels", Category: "print-runs", Postcode: "HX7", RadiusKM: 80}
	if err := s.Service.CreateListing(webtest.As(ua), offer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service.PublishListing(webtest.As(ua), offer.ID, offer.Version); err != nil {
		t.Fatal(err)
	}
	const email = "gwen@example.net"
	th, err := s.Service.StartEnquiry(context.Background(), offer.ID, marketplace.EnquiryInput{Name: "Gwen Evans", Email: email, Body: "Gwen's question about 300 tea towels."})
	if err != nil {
		t.Fatal(err)
	}
	confirm := regexp.MustCompile(`token=([0-9a-f]{32})`).FindStringSubmatch(waitMail(t, smtp, email, "Confirm").Text)
	if _, err := s.Service.ConfirmEnquiry(context.Background(), th.ID, confirm[1]); err != nil {
		t.Fatal(err)
	}

	c := s.NewClient(t)
	c.Lang = "cy"
	if p := c.Get("/privacy?lang=cy"); !strings.Contains(p.Body, `href="/enquirer/data"`) {
		t.Fatal("the privacy notice does not link to the enquirer's data page")
	}
	link := regexp.MustCompile(`/enquirer/data\?token=(cme_[A-Za-z0-9_-]+)&lang=cy`)
	// nextLink waits for the newest mail's link.
	seen := 0
	nextLink := func() string {
		t.Helper()
		// Other mails (the supplier told of the enquiry) may come between.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			for _, m := range smtp.Wait(t, seen+1, time.Until(deadline))[seen:] {
				seen++
				if got := link.FindStringSubmatch(m.Text); got != nil && m.To[0] == email {
					return got[1]
				}
			}
		}
		t.Fatal("no mail with a Welsh link")
		return ""
	}
	seen = len(smtp.Messages())
	c.Get("/enquirer/data")
	unknown := c.Post("/enquirer/data", url.Values{"email": {"nobody@example.net"}})
	c.Get("/enquirer/data")
	known := c.Post("/enquirer/data", url.Values{"email": {email}})
	if known.Status != http.StatusOK || known.Text() != unknown.Text() || !strings.Contains(known.Text(), "Os ysgrifennwyd ymholiadau") {
		t.Fatalf("a known address got %d %q; an unknown one %q", known.Status, known.Text(), unknown.Text())
	}
	token := nextLink()

	// The page from the link offers both; the download works once.
	if p := c.Get("/enquirer/data?token=" + token); !strings.Contains(p.Text(), "Lawrlwytho fy nata") || !strings.Contains(p.Text(), "Dileu fy nata") {
		t.Fatalf("the link's page: %.1000s", p.Text())
	}
	p := c.Post("/enquirer/data/export", url.Values{"token": {token}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Gwen's question") || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the download: %d %.500s", p.Status, p.Body)
	}
	c.Get("/enquirer/data?token=" + token)
	if p := c.Post("/enquirer/data/export", url.Values{"token": {token}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "wedi'i defnyddio") {
		t.Fatalf("the link used again: %d %.500s", p.Status, p.Text())
	}

	// Erasing asks for the box to be ticked first.
	c.Get("/enquirer/data")
	c.Post("/enquirer/data", url.Values{"email": {email}})
	token = nextLink()
	c.Get("/enquirer/data?token=" + token)
	if p := c.Post("/enquirer/data/erase", url.Values{"token": {token}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Ticiwch y blwch") {
		t.Fatalf("erasing unticked: %d %.500s", p.Status, p.Text())
	}
	if p := c.Post("/enquirer/data/erase", url.Values{"token": {token}, "confirm": {"on"}}); p.Status != http.StatusOK || !strings.Contains(p.Text(), "wedi'i ddileu") {
		t.Fatalf("erasing: %d %.500s", p.Status, p.Text())
	}

	// The supplier reads a closed thread, with the note and without Gwen.
	page := signedIn(t, s, ua).Get("/threads/" + th.ID + "?lang=en")
	if !strings.Contains(page.Text(), "erased their data") || strings.Contains(page.Text(), "Gwen") {
		t.Errorf("the supplier's thread page after erasure: %.2000s", page.Text())
	}
}
