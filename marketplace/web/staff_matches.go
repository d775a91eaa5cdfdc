package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// staffQueueData is the match queue as staff see it: best first, both
// sides of each match, and the query of the queue, which its forms carry
// so that staff come back to the queue they were working through.
type staffQueueData struct {
	Matches []staffMatch
	// Next is the address of the next page ("" on the last).
	Next string
	// Back is the queue's query string, without cursor and done.
	Back     string
	Statuses []marketplace.MatchStatus
}

// staffMatch is a match in the queue: its two sides, need first (what the
// match answers), and the members that said "not interested".
type staffMatch struct {
	*marketplace.MatchView
	Sides    []staffSide
	Declined string
}

// staffSide is one side of a match: a listing and its member.
type staffSide struct {
	Listing *marketplace.Listing
	Member  *marketplace.Member
	// Snippet is the start of the listing's description.
	Snippet string
}

// snippetLen is how much of a description the queue shows, in runes.
const snippetLen = 240

func snippet(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= snippetLen {
		return string(r)
	}
	return strings.TrimSpace(string(r[:snippetLen-1])) + "…"
}

// newStaffMatch makes the queue's view of a match.
func newStaffMatch(v *marketplace.MatchView) (staffMatch, bool) {
	if v.Offer == nil || v.Need == nil || v.OfferMember == nil || v.NeedMember == nil {
		return staffMatch{}, false
	}
	m := staffMatch{MatchView: v, Sides: []staffSide{
		{Listing: v.Need, Member: v.NeedMember, Snippet: snippet(v.Need.Description)},
		{Listing: v.Offer, Member: v.OfferMember, Snippet: snippet(v.Offer.Description)},
	}}
	var names []string
	for _, id := range v.Declined {
		for _, mem := range []*marketplace.Member{v.OfferMember, v.NeedMember} {
			if mem.ID == id {
				names = append(names, mem.Name)
			}
		}
	}
	m.Declined = strings.Join(names, ", ")
	return m, true
}

// staffMatchStatuses lists the statuses staff filter the queue by.
var staffMatchStatuses = []marketplace.MatchStatus{
	marketplace.MatchNew, marketplace.MatchIntroduced, marketplace.MatchDeal, marketplace.MatchNoDeal, marketplace.MatchDismissed,
}

// queueQuery keeps the queue's known parameters of q, so that what the
// forms carry back can only ever name the queue.
func queueQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"status", "sector", "area", "min_score"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" && len(v) <= 40 {
			out.Set(k, v)
		}
	}
	return out
}

// handleStaffQueue shows the match queue.
func (s *Server) handleStaffQueue(c *fiber.Ctx) error {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	p := s.staffPage(c, "staff.queue.title", "staff.queue.desc")
	return s.renderQueue(c, p, q, fiber.StatusOK)
}

// renderQueue shows the queue selected by q, keeping whatever p's form
// already holds (the values and errors of a form that failed).
func (s *Server) renderQueue(c *fiber.Ctx, p *Page, q url.Values, status int) error {
	if p.Form == nil {
		p.Form = newForm()
	}
	back := queueQuery(q)
	f := marketplace.MatchFilter{Status: marketplace.MatchNew, Cursor: q.Get("cursor"), Limit: 20}
	switch st := back.Get("status"); st {
	case "":
	case "all":
		f.Status = ""
	default:
		f.Status = marketplace.MatchStatus(st)
	}
	f.Category, f.Area = back.Get("sector"), strings.ToUpper(back.Get("area"))
	for k := range back {
		p.Form.Values[k] = back.Get(k)
	}
	if p.Form.Values["status"] == "" {
		p.Form.Values["status"] = string(marketplace.MatchNew)
	}
	d := &staffQueueData{Back: back.Encode(), Statuses: staffMatchStatuses}
	p.Data = d
	if v := back.Get("min_score"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || !(n >= 0 && n <= 100) { // NaN included
			p.Form.add("min_score", "staff.queue.error.min_score")
			return s.render(c, fiber.StatusBadRequest, "staff_matches", p)
		}
		f.MinScore = n
	}
	if s.service.Matches == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Matching is not set up."))
	}
	views, next, err := s.service.FindMatchesForReview(c.UserContext(), f)
	if marketplace.ErrorCode(err) == marketplace.EINVALID {
		p.Form = newForm()
		for k := range back {
			p.Form.Values[k] = back.Get(k)
		}
		for _, fe := range marketplace.ErrorFields(err) {
			switch fe.Field {
			case "category":
				p.Form.add("sector", "staff.queue.error.sector")
			case "area":
				p.Form.add("area", "staff.queue.error.area")
			case "min_score":
				p.Form.add("min_score", "staff.queue.error.min_score")
			case "status":
				p.Form.add("status", "form.error.choose")
			default:
				p.Form.Problem = "form.error.invalid"
			}
		}
		if p.Form.ok() {
			p.Form.Problem = "form.error.invalid"
		}
		return s.render(c, fiber.StatusBadRequest, "staff_matches", p)
	} else if err != nil {
		return s.renderError(c, err)
	}
	for _, v := range views {
		if m, ok := newStaffMatch(v); ok {
			d.Matches = append(d.Matches, m)
		}
	}
	if next != "" {
		nq := queueQuery(q)
		nq.Set("cursor", next)
		d.Next = "/staff/matches?" + nq.Encode()
	}
	return s.render(c, status, "staff_matches", p)
}

// handleStaffIntroduce puts the two sides of a match in touch.
func (s *Server) handleStaffIntroduce(c *fiber.Ctx) error {
	id := param(c, "id")
	note := form(c, "note")
	_, err := s.service.IntroduceMatch(c.UserContext(), id, formVersion(c), note)
	return s.afterReview(c, id, err, "staff_introduced", map[string]string{"note": note})
}

// handleStaffDismiss takes a match out of the queue, with the reason.
func (s *Server) handleStaffDismiss(c *fiber.Ctx) error {
	id := param(c, "id")
	reason := form(c, "reason")
	if reason == "" {
		fe := newForm()
		fe.add(matchField("reason", id), "staff.queue.error.reason")
		return s.rerenderQueue(c, fe)
	}
	_, err := s.service.DismissMatch(c.UserContext(), id, formVersion(c), reason)
	return s.afterReview(c, id, err, "staff_dismissed", map[string]string{"reason": reason})
}

// handleStaffOutcome records how an introduction ended: a deal (with its
// value in pounds, when known) or no deal.
func (s *Server) handleStaffOutcome(c *fiber.Ctx) error {
	id := param(c, "id")
	outcome := marketplace.MatchStatus(form(c, "outcome"))
	value := form(c, "value")
	pence, ok := parsePounds(value)
	if outcome == marketplace.MatchDeal && !ok {
		fe := newForm()
		fe.Values[matchField("value", id)] = value
		fe.add(matchField("value", id), "staff.queue.error.value")
		return s.rerenderQueue(c, fe)
	}
	if outcome != marketplace.MatchDeal {
		pence = 0
	}
	_, err := s.service.RecordOutcome(c.UserContext(), id, formVersion(c), outcome, pence, "")
	return s.afterReview(c, id, err, "staff_outcome", map[string]string{"value": value})
}

// matchField names a field of one match's forms: the queue shows many.
func matchField(name, matchID string) string { return name + "_" + matchID }

// afterReview answers a staff action on a match: back to the queue with a
// message when it is done; the queue again with the errors beside the
// fields when the input was wrong; back with what happened when someone
// acted first.
func (s *Server) afterReview(c *fiber.Ctx, id string, err error, done string, values map[string]string) error {
	back := s.queueBack(c)
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, withDone("/staff/matches", back, done, ""))
	case marketplace.EINVALID:
		fe := newForm()
		for name, v := range values {
			fe.Values[matchField(name, id)] = v
		}
		for _, f := range marketplace.ErrorFields(err) {
			name := f.Field
			if name == "value_pence" {
				name = "value"
			}
			key, args := fieldMessage(name, f)
			if name == "value" {
				key, args = "staff.queue.error.value", nil
			}
			fe.add(matchField(name, id), key, args...)
		}
		if fe.ok() {
			fe.Problem = "form.error.invalid"
		}
		return s.rerenderQueue(c, fe)
	case marketplace.EPRECONDITION:
		return seeOther(c, withDone("/staff/matches", back, "staff_changed", ""))
	case marketplace.ECONFLICT:
		return seeOther(c, withDone("/staff/matches", back, "staff_conflict", ""))
	default:
		return s.renderError(c, err)
	}
}

// queueBack reads the queue's query that a form carried.
func (s *Server) queueBack(c *fiber.Ctx) url.Values {
	q, _ := url.ParseQuery(form(c, "back"))
	return queueQuery(q)
}

// rerenderQueue shows the queue the form came from with the form's errors.
func (s *Server) rerenderQueue(c *fiber.Ctx, fe *Form) error {
	back := s.queueBack(c)
	p := s.staffPageAt(c, "/staff/matches", back)
	p.Title, p.Description = p.T("staff.queue.title"), p.T("staff.queue.desc")
	p.Form = fe
	return s.renderQueue(c, p, back, fiber.StatusBadRequest)
}

// StaffReason names a part of a match's score.
func (p *Page) StaffReason(code string) string { return p.T("staff.reason." + code) }

// StaffPoints writes a score or a part of it as a whole number.
func (p *Page) StaffPoints(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// StaffField returns the field of one match's form.
func (p *Page) StaffField(name, matchID string) fieldView { return p.Field(matchField(name, matchID)) }
