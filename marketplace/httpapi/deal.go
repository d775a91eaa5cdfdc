package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// dealView is a deal as one of its sides sees it.
type dealView struct {
	*marketplace.Deal
	Side marketplace.Side `json:"side"`
}

// dealList is a list of deals.
type dealList struct {
	Items      []*marketplace.Deal `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// dealAnswer confirms a deal, or disputes it with a note.
type dealAnswer struct {
	Token string `json:"token"`
	Note  string `json:"note"`
}

func (s *Server) handleThreadDeal(c *fiber.Ctx) error {
	var in marketplace.DealInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	d, err := s.service.ReportThreadDeal(c.UserContext(), param(c, "id"), in)
	if err != nil {
		return err
	}
	c.Location("/v1/deals/" + d.ID)
	return c.Status(fiber.StatusCreated).JSON(dealView{Deal: d, Side: d.ReportedBy})
}

func (s *Server) handleThreadDeals(c *fiber.Ctx) error {
	ds, err := s.service.FindThreadDeals(c.UserContext(), param(c, "id"), query(c, "token"))
	if err != nil {
		return err
	}
	return c.JSON(dealList{Items: nonNilDeals(ds)})
}

func (s *Server) handleMatchDeal(c *fiber.Ctx) error {
	var in marketplace.DealInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	in.Token = ""
	d, err := s.service.ReportMatchDeal(c.UserContext(), param(c, "id"), in)
	if err != nil {
		return err
	}
	c.Location("/v1/deals/" + d.ID)
	return c.Status(fiber.StatusCreated).JSON(dealView{Deal: d, Side: d.ReportedBy})
}

func (s *Server) handleDealList(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	ds, next, err := s.service.FindMyDealPage(c.UserContext(), query(c, "cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(dealList{Items: nonNilDeals(ds), NextCursor: next})
}

func (s *Server) handleDealView(c *fiber.Ctx) error {
	d, side, err := s.service.FindDeal(c.UserContext(), param(c, "id"), query(c, "token"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(dealView{Deal: d, Side: side})
}

// handleDealAnswer confirms (confirm) or disputes a deal.
func (s *Server) handleDealAnswer(confirm bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in dealAnswer
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		d, err := s.service.AnswerDeal(c.UserContext(), param(c, "id"), in.Token, confirm, in.Note)
		if err != nil {
			return err
		}
		return c.JSON(dealView{Deal: d, Side: d.ReportedBy.Other()})
	}
}

// handleTrade answers the confirmed trade of ?from= to ?to= (dates; the
// default is the year to now).
func (s *Server) handleTrade(c *fiber.Ctx) error {
	to := time.Now().UTC()
	from := to.AddDate(-1, 0, 0)
	var fe []marketplace.FieldError
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := c.Query(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fe = append(fe, marketplace.FieldError{Field: p.name, Message: "must be a date (2026-01-31)"})
			continue
		}
		*p.dst = t
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	f, err := s.service.TradeByMonths(c.UserContext(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func nonNilDeals(ds []*marketplace.Deal) []*marketplace.Deal {
	if ds == nil {
		return []*marketplace.Deal{}
	}
	return ds
}
