package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// dealFields are the fields of the form that reports a deal.
var dealFields = []string{"value", "date", "what"}

// dealLabels are their labels.
var dealLabels = map[string]string{"value": "deal.field.value", "date": "deal.field.date", "what": "deal.field.what", "note": "deal.field.note"}

// dealsData is a member's own trade.
type dealsData struct {
	Deals []*marketplace.Deal
	// Next is the address of the next page, "" on the last.
	Next string
	// Confirmed and Value are how many deals are confirmed and their value.
	Confirmed int
	Value     int64
}

// handleThreadDeal reports a deal that came of a thread, from its page.
func (s *Server) handleThreadDeal(c *fiber.Ctx) error {
	id, token := param(c, "id"), form(c, "token")
	in := marketplace.DealInput{Date: form(c, "date"), What: form(c, "what"), Token: token}
	f := newForm()
	if v, ok := parsePoundsUpTo(form(c, "value"), marketplace.MaxPricePence); ok && v > 0 {
		in.ValuePence = v
	} else {
		f.add("value", "deal.error.value")
	}
	var err error
	if f.ok() {
		_, err = s.service.ReportThreadDeal(c.UserContext(), id, in)
		if err == nil {
			return seeOther(c, threadPath(id, token)+"&done=deal_reported#deals")
		}
		if marketplace.ErrorCode(err) != marketplace.EINVALID {
			return s.renderError(c, err)
		}
		addDomainErrors(f, err)
	}
	t, side, ferr := s.service.FindThread(c.UserContext(), id, token)
	if ferr != nil {
		return s.renderError(c, ferr)
	}
	p := s.page(c, "thread.title", "", "Title", t.ListingTitle)
	f.Labels = dealLabels
	f.sortErrors(dealFields)
	f.Values["value"], f.Values["date"], f.Values["what"] = form(c, "value"), in.Date, in.What
	p.Form = f
	return s.renderThread(c, fiber.StatusUnprocessableEntity, t, side, token, p)
}

// handleDealAnswer confirms or disputes a deal from the page of its thread
// (or the member's trade), and goes back there.
func (s *Server) handleDealAnswer(confirm bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token := form(c, "token")
		d, err := s.service.AnswerDeal(c.UserContext(), param(c, "id"), token, confirm, form(c, "note"))
		back := func(d *marketplace.Deal, done string) error {
			if d.ThreadID != "" {
				return seeOther(c, threadPath(d.ThreadID, token)+"&done="+done+"#deals")
			}
			return seeOther(c, "/deals?done="+done)
		}
		switch {
		case err == nil && confirm:
			return back(d, "deal_confirmed")
		case err == nil:
			return back(d, "deal_disputed")
		case marketplace.ErrorCode(err) == marketplace.EINVALID:
			d, _, ferr := s.service.FindDeal(c.UserContext(), param(c, "id"), token)
			if ferr != nil {
				return s.renderError(c, ferr)
			}
			return back(d, "deal_note")
		}
		return s.renderError(c, err)
	}
}

// handleDeals shows the member's own trade.
func (s *Server) handleDeals(c *fiber.Ctx) error {
	ds, next, err := s.service.FindMyDealPage(c.UserContext(), query(c, "cursor"), marketplace.DefaultPageSize)
	if err != nil {
		return s.renderError(c, err)
	}
	d := &dealsData{Deals: ds}
	if next != "" {
		d.Next = "/deals?cursor=" + url.QueryEscape(next)
	}
	if d.Confirmed, d.Value, err = s.service.MyConfirmedTrade(c.UserContext()); err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "deals.title", "")
	p.Section = "threads"
	p.Data = d
	return s.render(c, fiber.StatusOK, "deals", p)
}

// DealMine reports whether the deal's reader is on the side that reported it.
func (d *threadData) DealMine(deal *marketplace.Deal) bool { return deal.ReportedBy == d.Side }

// MySide returns the side the signed-in user's member takes in a deal.
func (p *Page) MySide(deal *marketplace.Deal) marketplace.Side {
	side, _ := deal.SideOf(p.User)
	return side
}

// dealForm is what the forms that answer a deal need.
type dealForm struct {
	P     *Page
	Deal  *marketplace.Deal
	Token string
}

// DealForm returns what the forms that answer a deal need, for the
// deal-answer template.
func (p *Page) DealForm(deal *marketplace.Deal, token string) dealForm {
	return dealForm{P: p, Deal: deal, Token: token}
}
