package web

import (
	"context"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// StaffDues is what the staff's pages use of the members' dues: members
// with their dues, applications and staff's decisions on them, waivers and
// payments made outside Stripe, as the API's staff routes use them. The
// pages use Config.Dues for it when it has these methods too (as
// payments.Service does, with or without Stripe); otherwise they say that
// dues are not managed here.
type StaffDues interface {
	FindStatus(ctx context.Context, memberID string) (*payments.Status, error)
	FindMemberDues(ctx context.Context, f marketplace.MemberFilter) ([]*payments.MemberDues, string, error)
	FindApplications(ctx context.Context, f payments.ApplicationFilter) ([]*payments.Application, string, error)
	DecideApplication(ctx context.Context, id string, d payments.Decision) (*payments.Application, error)
	GrantWaiver(ctx context.Context, memberID string, in payments.WaiverInput) (*payments.MemberDues, error)
	RecordOfflinePayment(ctx context.Context, memberID string, in payments.OfflinePaymentInput) (*payments.MemberDues, error)
}

var _ StaffDues = (*payments.Service)(nil)

// staffDues returns the dues for the staff's pages, nil when the service
// keeps none.
func (s *Server) staffDues() StaffDues {
	d, _ := s.cfg.Dues.(StaffDues)
	return d
}

// staffRoutes registers the staff's pages; the group is /staff, behind
// requireStaff and the CSRF check. The queue monitor at /staff/queues is
// the API's.
func (s *Server) staffRoutes(r fiber.Router) {
	writes := s.limit(s.cfg.WritesPerMinute, "staff-write")
	r.Get("/", s.handleStaffHome)

	r.Get("/matches", s.handleStaffQueue)
	r.Post("/matches/:id/introduce", writes, s.handleStaffIntroduce)
	r.Post("/matches/:id/dismiss", writes, s.handleStaffDismiss)
	r.Post("/matches/:id/outcome", writes, s.handleStaffOutcome)

	r.Get("/members", s.handleStaffMembers)
	r.Get("/members/:id", s.handleStaffMember)
	r.Post("/members/:id/applications/:app/decide", writes, s.handleStaffDecide)
	r.Post("/members/:id/waiver", writes, s.handleStaffWaiver)
	r.Post("/members/:id/payment", writes, s.handleStaffPayment)
	r.Get("/members/:id/data.json", s.handleStaffMemberData)
	r.Post("/members/:id/erase", writes, s.handleStaffMemberErase)

	r.Get("/listings", s.handleStaffListings)
	r.Get("/listings/:id", s.handleStaffListing)
	r.Post("/listings/:id/remove", writes, s.handleStaffRemove)

	r.Get("/figures", s.handleStaffFigures)

	r.Get("/join", s.handleStaffJoin)
	r.Post("/join/:id/admit", writes, s.handleStaffJoinDecide(true))
	r.Post("/join/:id/refuse", writes, s.handleStaffJoinDecide(false))
	r.Get("/figures/trade.csv", s.handleStaffTradeCSV)
	r.Get("/threads", s.handleStaffThreads)
	r.Get("/threads/:id", s.handleStaffThread)
	r.Post("/threads/:id/messages/:message/hide", writes, s.handleStaffMessageHide)
}

// staffHomeData is what the staff's front page counts.
type staffHomeData struct {
	NewMatches   int
	MoreMatches  bool
	Applications int
	MoreApps     bool
	DuesOff      bool
}

// handleStaffHome shows what is waiting for staff and the way to each of
// their pages.
func (s *Server) handleStaffHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d := &staffHomeData{}
	if s.service.Matches != nil {
		ms, next, err := s.service.FindMatchesForReview(ctx, marketplace.MatchFilter{Status: marketplace.MatchNew, Limit: marketplace.MaxPageSize})
		if err != nil {
			return s.renderError(c, err)
		}
		d.NewMatches, d.MoreMatches = len(ms), next != ""
	}
	if dues := s.staffDues(); dues != nil {
		apps, next, err := dues.FindApplications(ctx, payments.ApplicationFilter{Status: payments.ApplicationPending, Limit: marketplace.MaxPageSize})
		if err != nil {
			return s.renderError(c, err)
		}
		d.Applications, d.MoreApps = len(apps), next != ""
	} else {
		d.DuesOff = true
	}
	p := s.staffPage(c, "staff.home.title", "staff.home.desc")
	p.Data = d
	return s.render(c, fiber.StatusOK, "staff_home", p)
}

// staffPage starts a staff page: private, in the staff's section.
func (s *Server) staffPage(c *fiber.Ctx, titleKey, descKey string, args ...any) *Page {
	p := s.page(c, titleKey, descKey, args...)
	p.Section, p.Private = "staff", true
	return p
}

// staffPageAt starts the page that a staff form shows again when its input
// was wrong: its address, and the language switch's, are the page's own
// (path, with query q), not the address the form was posted to.
func (s *Server) staffPageAt(c *fiber.Ctx, path string, q url.Values) *Page {
	p := s.staffPage(c, "", "")
	if q == nil {
		q = url.Values{}
	}
	q = cloneQuery(q)
	q.Del("lang")
	q.Del("done")
	p.Canonical = path
	if len(q) > 0 {
		p.Canonical += "?" + q.Encode()
	}
	p.Canonical = s.absolute(p.Canonical)
	for _, l := range Languages {
		lq := cloneQuery(q)
		lq.Set("lang", l)
		p.langURLs[l] = path + "?" + lq.Encode()
	}
	return p
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// formVersion reads the version a form was made for (0 when absent).
func formVersion(c *fiber.Ctx) int64 {
	v, err := strconv.ParseInt(form(c, "version"), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// withDone returns path with ?done= set (a flash message) and its query
// kept, then the fragment.
func withDone(path string, q url.Values, done, fragment string) string {
	if q == nil {
		q = url.Values{}
	}
	q.Set("done", done)
	out := path + "?" + q.Encode()
	if fragment != "" {
		out += "#" + fragment
	}
	return out
}

// membersByID fetches the members of the given IDs in one query.
func (s *Server) membersByID(ctx context.Context, ids []string) (map[string]*marketplace.Member, error) {
	if len(ids) == 0 {
		return map[string]*marketplace.Member{}, nil
	}
	return s.service.Members.FindMembersByIDs(ctx, ids)
}
