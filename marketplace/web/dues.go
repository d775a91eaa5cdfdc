package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// duesView is what a member sees of its dues.
type duesView struct {
	// Off is true when the service keeps no dues (no payments wired).
	Off    bool
	Status *payments.Status
	// Owner is true for the member's owners, who pay; CanPay and
	// CanManage say which Stripe buttons to show them.
	Owner     bool
	CanPay    bool
	CanManage bool
	// Next is the catalogue key of what the member should do now.
	Next string
	// Apply is the catalogue key of the link to the dues application
	// (/dues/apply), shown to owners while the dues of this year are not
	// settled; "" for none.
	Apply string
}

// duesOf returns the dues of the signed-in user's member.
func (s *Server) duesOf(c *fiber.Ctx) (*duesView, error) {
	me := visitOf(c).User
	if s.cfg.Dues == nil {
		return &duesView{Off: true}, nil
	}
	st, err := s.cfg.Dues.FindStatus(c.UserContext(), "")
	if err != nil {
		return nil, err
	}
	d := &duesView{Status: st, Owner: me.IsOwnerOf(st.MemberID)}
	live := st.Subscription.Live()
	enterprise := st.Kind == marketplace.MemberEnterprise
	switch st.Standing {
	case marketplace.StandingAwaitingPayment, marketplace.StandingPastDue, marketplace.StandingLapsed:
		d.CanPay = st.StripeEnabled && d.Owner && enterprise && st.Dues != nil && !live
	}
	d.CanManage = st.StripeEnabled && d.Owner && st.Subscription != nil
	if st.NextStepCode != "" {
		d.Next = "dues.next." + st.NextStepCode
	}
	if d.Owner && st.Dues == nil && st.Standing != marketplace.StandingCancelled {
		d.Apply = applyLink(st)
	}
	return d, nil
}

// duesData is what the dues page shows.
type duesData struct {
	Member *marketplace.Member
	Dues   *duesView
	// Returned is "success" or "cancelled" when Stripe Checkout sent the
	// member back here.
	Returned string
}

// handleDues shows the member's dues in full; Stripe sends members back
// here after Checkout and the Billing Portal.
func (s *Server) handleDues(c *fiber.Ctx) error {
	me := visitOf(c).User
	if me.MemberID == "" {
		return s.renderError(c, marketplace.Errorf(marketplace.EFORBIDDEN, "Only users of a member have dues."))
	}
	m, err := s.service.FindMember(c.UserContext(), me.MemberID)
	if err != nil {
		return s.renderError(c, err)
	}
	dv, err := s.duesOf(c)
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "dues.title", "dues.desc")
	p.Section = "dashboard"
	d := &duesData{Member: m, Dues: dv}
	switch query(c, "checkout") {
	case "success":
		d.Returned = "success"
	case "cancelled":
		d.Returned = "cancelled"
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "dues", p)
}

// handleDuesCheckout sends an owner to Stripe Checkout to pay the year's
// dues.
func (s *Server) handleDuesCheckout(c *fiber.Ctx) error {
	return s.toStripe(c, func() (*payments.Session, error) {
		return s.cfg.Dues.Checkout(c.UserContext())
	})
}

// handleDuesPortal sends an owner to Stripe's Billing Portal.
func (s *Server) handleDuesPortal(c *fiber.Ctx) error {
	return s.toStripe(c, func() (*payments.Session, error) {
		return s.cfg.Dues.Portal(c.UserContext())
	})
}

func (s *Server) toStripe(c *fiber.Ctx, open func() (*payments.Session, error)) error {
	if s.cfg.Dues == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Dues are not set up."))
	}
	sess, err := open()
	if err != nil {
		if code := marketplace.ErrorCode(err); code == marketplace.ECONFLICT || code == marketplace.EUNAVAILABLE {
			return seeOther(c, "/dues?done=stripe_"+code)
		}
		return s.renderError(c, err)
	}
	u, err := url.Parse(sess.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return s.renderError(c, marketplace.Errorf(marketplace.EINTERNAL, "Stripe gave an unexpected address %q.", sess.URL))
	}
	return seeOther(c, sess.URL)
}
