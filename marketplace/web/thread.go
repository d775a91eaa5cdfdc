package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// enquiryFields are the fields of the form that writes to a supplier, in
// their order on the page.
var enquiryFields = []string{"name", "email", "body"}

// enquiryLabels are their labels.
var enquiryLabels = map[string]string{"name": "enquiry.field.name", "email": "enquiry.field.email", "body": "enquiry.field.body"}

// enquiryData is what the pages of an enquiry show.
type enquiryData struct {
	Listing *marketplace.Listing
	Member  *marketplace.MemberProfile
	// ThreadID and Token carry a confirmation link to its form.
	ThreadID, Token string
	// Sent is true once a member of the public's enquiry waits for its
	// address to be confirmed.
	Sent bool
}

// threadData is what the page of a thread shows.
type threadData struct {
	Thread *marketplace.Thread
	Side   marketplace.Side
	// Deals are the deals either side reported of the thread.
	Deals []*marketplace.Deal
	// Token is a member of the public's link token, carried to the form.
	Token string
}

// threadsData is the signed-in user's threads.
type threadsData struct {
	Threads []*marketplace.Thread
	// Next is the address of the next page, "" on the last.
	Next string
}

// handleEnquiry writes to the supplier of an offer, from the form on the
// offer's page: a member goes to the thread, a member of the public is
// told to confirm its address.
func (s *Server) handleEnquiry(c *fiber.Ctx) error {
	v := visitOf(c)
	ctx := c.UserContext()
	id := param(c, "id")
	in := marketplace.EnquiryInput{Name: form(c, "name"), Email: form(c, "email"), Body: form(c, "body"), Language: s.language(c)}
	t, err := s.service.StartEnquiry(ctx, id, in)
	if err == nil {
		if v.User != nil {
			return seeOther(c, "/threads/"+t.ID+"?done=enquiry_sent")
		}
		p := s.page(c, "enquiry.sent_title", "")
		p.Private = true
		p.Data = &enquiryData{Sent: true}
		return s.render(c, fiber.StatusOK, "enquiry", p)
	}
	if marketplace.ErrorCode(err) != marketplace.EINVALID || len(marketplace.ErrorFields(err)) == 0 || marketplace.ErrorFields(err)[0].Field == "listing_id" {
		return s.renderError(c, err)
	}
	l, m, verr := s.service.ViewListing(ctx, id)
	if verr != nil {
		return s.renderError(c, verr)
	}
	p := s.page(c, "enquiry.title", "", "Member", m.Name)
	p.Private = true
	addDomainErrors(p.Form, err)
	p.Form.Labels = enquiryLabels
	p.Form.sortErrors(enquiryFields)
	p.Form.Values["name"], p.Form.Values["email"], p.Form.Values["body"] = in.Name, in.Email, in.Body
	p.Data = &enquiryData{Listing: l, Member: m}
	return s.render(c, fiber.StatusUnprocessableEntity, "enquiry", p)
}

// handleEnquiryConfirmForm shows the button that confirms a member of the
// public's address: a link opened by a mail scanner confirms nothing.
func (s *Server) handleEnquiryConfirmForm(c *fiber.Ctx) error {
	p := s.page(c, "enquiry.confirm_title", "")
	p.Private = true
	p.Data = &enquiryData{ThreadID: query(c, "thread"), Token: query(c, "token")}
	return s.render(c, fiber.StatusOK, "enquiry", p)
}

// handleEnquiryConfirm confirms the address and sends the writer to the
// thread, which its link's token lets it read.
func (s *Server) handleEnquiryConfirm(c *fiber.Ctx) error {
	id, token := form(c, "thread"), form(c, "token")
	t, err := s.service.ConfirmEnquiry(c.UserContext(), id, token)
	if err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, threadPath(t.ID, token)+"&done=enquiry_confirmed")
}

// threadPath is a thread's page, with the token of a member of the
// public's link ("?token=…"; "?" alone without one).
func threadPath(id, token string) string {
	if token == "" {
		return "/threads/" + id + "?"
	}
	return "/threads/" + id + "?token=" + url.QueryEscape(token)
}

// handleThreads lists the signed-in user's threads.
func (s *Server) handleThreads(c *fiber.Ctx) error {
	ts, next, err := s.service.FindMyThreadPage(c.UserContext(), query(c, "cursor"), marketplace.DefaultPageSize)
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "threads.title", "")
	p.Section = "threads"
	d := &threadsData{Threads: ts}
	if next != "" {
		d.Next = "/threads?cursor=" + url.QueryEscape(next)
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "threads", p)
}

// handleThread shows a thread to one of its parties; to anyone else it is
// not found.
func (s *Server) handleThread(c *fiber.Ctx) error {
	token := query(c, "token")
	t, side, err := s.service.FindThread(c.UserContext(), param(c, "id"), token)
	if err != nil {
		return s.renderError(c, err)
	}
	return s.renderThread(c, fiber.StatusOK, t, side, token, s.page(c, "thread.title", "", "Title", t.ListingTitle))
}

func (s *Server) renderThread(c *fiber.Ctx, status int, t *marketplace.Thread, side marketplace.Side, token string, p *Page) error {
	p.Private = true
	p.Section = "threads"
	deals, err := s.service.FindThreadDeals(c.UserContext(), t.ID, token)
	if err != nil {
		return s.renderError(c, err)
	}
	p.Data = &threadData{Thread: t, Side: side, Token: token, Deals: deals}
	return s.render(c, status, "thread", p)
}

// handleThreadPost answers in a thread.
func (s *Server) handleThreadPost(c *fiber.Ctx) error {
	id, token, body := param(c, "id"), form(c, "token"), form(c, "body")
	_, _, err := s.service.PostThreadMessage(c.UserContext(), id, token, body)
	if err == nil {
		return seeOther(c, threadPath(id, token)+"&done=message_sent#answer")
	}
	if marketplace.ErrorCode(err) != marketplace.EINVALID {
		return s.renderError(c, err)
	}
	t, side, ferr := s.service.FindThread(c.UserContext(), id, token)
	if ferr != nil {
		return s.renderError(c, ferr)
	}
	p := s.page(c, "thread.title", "", "Title", t.ListingTitle)
	addDomainErrors(p.Form, err)
	p.Form.Labels = map[string]string{"body": "thread.field.body"}
	p.Form.Values["body"] = body
	return s.renderThread(c, fiber.StatusUnprocessableEntity, t, side, token, p)
}

// SideName words a side of a thread for its reader: "you" or the other.
func (p *Page) SideName(d *threadData, side marketplace.Side) string {
	switch {
	case side == d.Side:
		return p.T("thread.you")
	case side == marketplace.SideSupplier:
		return d.Thread.SupplierName
	}
	return d.Thread.BuyerName
}
