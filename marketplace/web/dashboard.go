package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// dashboardData is what a member's dashboard shows: its own things only.
type dashboardData struct {
	// Member is the user's member (nil for staff who belong to none).
	Member       *marketplace.Member
	Listings     []*marketplace.Listing
	ListingsNext string
	Matches      []matchView
	Alerts       []*marketplace.Alert
	AlertsOff    bool
	Inbox        []*marketplace.Notification
	Dues         *duesView
}

// matchView is a match as one side sees it: its own listing and the
// other side's.
type matchView struct {
	*marketplace.MatchView
	Own, Theirs *marketplace.Listing
	TheirMember *marketplace.Member
	Declined    bool
}

// handleDashboard shows the signed-in user's listings, matches, saved
// searches, inbox and dues.
func (s *Server) handleDashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := visitOf(c).User
	d := &dashboardData{}
	if me.MemberID != "" {
		m, err := s.service.FindMember(ctx, me.MemberID)
		if err != nil {
			return s.renderError(c, err)
		}
		d.Member = m
		ls, next, err := s.service.FindListings(ctx, marketplace.ListingFilter{MemberID: me.MemberID, Cursor: query(c, "cursor"), Limit: 50})
		if err != nil {
			return s.renderError(c, err)
		}
		d.Listings = ls
		if next != "" {
			d.ListingsNext = "/dashboard?cursor=" + next
		}
		if s.service.Matches != nil {
			ms, _, err := s.service.FindMyMatches(ctx, marketplace.MatchFilter{Limit: 10})
			if err != nil {
				return s.renderError(c, err)
			}
			d.Matches = sides(me, ms)
		}
		if d.Dues, err = s.duesOf(c); err != nil {
			return s.renderError(c, err)
		}
	}
	alerts, err := s.service.FindMyAlerts(ctx)
	switch marketplace.ErrorCode(err) {
	case "":
		d.Alerts = alerts
	case marketplace.EUNAVAILABLE:
		d.AlertsOff = true
	default:
		return s.renderError(c, err)
	}
	if s.service.Notifications != nil {
		items, _, err := s.service.FindInbox(ctx, false, "", 5)
		if err != nil {
			return s.renderError(c, err)
		}
		d.Inbox = items
	}
	p := s.page(c, "dashboard.title", "dashboard.desc")
	p.Section = "dashboard"
	p.Data = d
	return s.render(c, fiber.StatusOK, "dashboard", p)
}

// sides turns matches into what the user's member sees of each.
func sides(me *marketplace.User, ms []*marketplace.MatchView) []matchView {
	var out []matchView
	for _, m := range ms {
		v := matchView{MatchView: m}
		if me.BelongsTo(m.OfferMemberID) {
			v.Own, v.Theirs, v.TheirMember = m.Offer, m.Need, m.NeedMember
		} else {
			v.Own, v.Theirs, v.TheirMember = m.Need, m.Offer, m.OfferMember
		}
		for _, id := range m.Declined {
			v.Declined = v.Declined || id == me.MemberID
		}
		if v.Own != nil && v.Theirs != nil && v.TheirMember != nil {
			out = append(out, v)
		}
	}
	return out
}

// handleMatchDecline records that the member is not interested in a match.
func (s *Server) handleMatchDecline(c *fiber.Ctx) error {
	if _, err := s.service.DeclineMatch(c.UserContext(), param(c, "id")); err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/dashboard?done=declined#matches")
}
