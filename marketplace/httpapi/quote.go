package httpapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// quoteList is a list of quotes.
type quoteList struct {
	Items      []*marketplace.Quote `json:"items"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

func (s *Server) handleQuoteCreate(c *fiber.Ctx) error {
	var in marketplace.QuoteInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	q, err := s.service.SendQuote(c.UserContext(), param(c, "id"), in)
	if err != nil {
		return err
	}
	c.Location("/v1/quotes/" + q.ID)
	return c.Status(fiber.StatusCreated).JSON(q)
}

func (s *Server) handleNeedQuotes(c *fiber.Ctx) error {
	qs, err := s.service.FindNeedQuotes(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(quoteList{Items: qs})
}

func (s *Server) handleQuoteList(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	qs, next, err := s.service.FindMyQuotePage(c.UserContext(), query(c, "cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(quoteList{Items: qs, NextCursor: next})
}

func (s *Server) handleQuoteView(c *fiber.Ctx) error {
	q, err := s.service.FindQuote(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(q)
}

// handleQuoteDecision accepts, declines or withdraws a quote; it takes no
// body.
func (s *Server) handleQuoteDecision(decision string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q, err := s.service.DecideQuote(c.UserContext(), param(c, "id"), decision)
		if err != nil {
			return err
		}
		return c.JSON(q)
	}
}

// jointQuoteInput is a joint quote as the lead sends it.
type jointQuoteInput struct {
	PricePence int64                   `json:"price_pence"`
	PriceUnit  string                  `json:"price_unit"`
	Covers     string                  `json:"covers"`
	ValidUntil string                  `json:"valid_until"`
	Note       string                  `json:"note"`
	Parts      []marketplace.PartInput `json:"parts"`
}

func (s *Server) handleJointQuoteCreate(c *fiber.Ctx) error {
	var in jointQuoteInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	q, err := s.service.SendJointQuote(c.UserContext(), param(c, "id"), marketplace.JointQuoteInput{
		QuoteInput: marketplace.QuoteInput{PricePence: in.PricePence, PriceUnit: in.PriceUnit, Covers: in.Covers, ValidUntil: in.ValidUntil, Note: in.Note},
		Parts:      in.Parts,
	})
	if err != nil {
		return err
	}
	c.Location("/v1/quotes/" + q.ID)
	return c.Status(fiber.StatusCreated).JSON(q)
}

func (s *Server) handleQuoteJoin(c *fiber.Ctx) error {
	q, err := s.service.JoinQuote(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(q)
}

func (s *Server) handleQuoteSend(c *fiber.Ctx) error {
	q, err := s.service.SendDraftQuote(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(q)
}

// handlePartnerSuggestions suggests partners for a joint quote to a need;
// exclude names the partners already chosen, comma-separated.
func (s *Server) handlePartnerSuggestions(c *fiber.Ctx) error {
	var exclude []string
	for _, id := range strings.Split(query(c, "exclude"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			exclude = append(exclude, id)
		}
	}
	sg, err := s.service.SuggestPartners(c.UserContext(), param(c, "id"), exclude)
	if err != nil {
		return err
	}
	return c.JSON(sg)
}
