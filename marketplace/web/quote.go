package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// quoteFields are the fields of the quote form, in their order.
var quoteFields = []string{"price", "price_unit", "covers", "valid_until", "note"}

// quoteLabels are their labels.
var quoteLabels = map[string]string{
	"price": "quote.field.price", "price_unit": "quote.field.unit", "covers": "quote.field.covers",
	"valid_until": "quote.field.valid_until", "note": "quote.field.note",
}

// needQuotes fills the quotes a need's page shows to a signed-in member.
func (s *Server) needQuotes(c *fiber.Ctx, d *listingData) error {
	me := visitOf(c).User
	if d.Listing.Kind != marketplace.KindNeed || me == nil || me.MemberID == "" {
		return nil
	}
	qs, err := s.service.FindNeedQuotes(c.UserContext(), d.Listing.ID)
	if err != nil {
		return err
	}
	d.Quotes, d.Units = qs, marketplace.PriceUnits
	d.CanQuote = !d.Mine && d.Listing.Status == marketplace.StatusPublished
	return nil
}

// handleQuoteCreate sends a quote from the form on a need's page.
func (s *Server) handleQuoteCreate(c *fiber.Ctx) error {
	id := param(c, "id")
	in := marketplace.QuoteInput{PriceUnit: form(c, "price_unit"), Covers: form(c, "covers"), ValidUntil: form(c, "valid_until"), Note: form(c, "note")}
	f := newForm()
	if v, ok := parsePoundsUpTo(form(c, "price"), marketplace.MaxPricePence); ok && v > 0 {
		in.PricePence = v
	} else {
		f.add("price", "quote.error.price")
	}
	_, err := s.service.SendQuote(c.UserContext(), id, in)
	if err == nil && f.ok() {
		return seeOther(c, "/listings/"+id+"?done=quote_sent#quotes")
	}
	if err != nil && marketplace.ErrorCode(err) != marketplace.EINVALID {
		return s.renderError(c, err)
	}
	addDomainErrors(f, err)
	delete(f.errors, "price_pence")
	f.order = removeField(f.order, "price_pence")
	l, m, verr := s.service.ViewListing(c.UserContext(), id)
	if verr != nil {
		return s.renderError(c, verr)
	}
	d := &listingData{Listing: l, Member: m, Mine: visitOf(c).User.BelongsTo(l.MemberID)}
	if err := s.needQuotes(c, d); err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "", "")
	p.Title = l.Title
	p.Private = true
	f.Labels = quoteLabels
	f.sortErrors(quoteFields)
	for _, name := range quoteFields {
		f.Values[name] = form(c, name)
	}
	p.Form = f
	p.Data = d
	return s.render(c, fiber.StatusUnprocessableEntity, "listing", p)
}

// handleQuoteDecision accepts, declines or withdraws a quote from the
// need's page.
func (s *Server) handleQuoteDecision(decision string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q, err := s.service.DecideQuote(c.UserContext(), param(c, "id"), decision)
		if err != nil {
			return s.renderError(c, err)
		}
		return seeOther(c, "/listings/"+q.NeedID+"?done=quote_"+decision+"#quotes")
	}
}

// handleQuoteJoin is a partner taking its place in a joint quote.
func (s *Server) handleQuoteJoin(c *fiber.Ctx) error {
	q, err := s.service.JoinQuote(c.UserContext(), param(c, "id"))
	if err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/listings/"+q.NeedID+"?done=quote_joined#quotes")
}

// handleQuoteSend is the lead sending a joint quote.
func (s *Server) handleQuoteSend(c *fiber.Ctx) error {
	q, err := s.service.SendDraftQuote(c.UserContext(), param(c, "id"))
	if err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/listings/"+q.NeedID+"?done=quote_sent#quotes")
}

func removeField(order []string, name string) []string {
	out := order[:0]
	for _, f := range order {
		if f != name {
			out = append(out, f)
		}
	}
	return out
}
