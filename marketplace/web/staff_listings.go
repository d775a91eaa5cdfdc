package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// staffListingsData is the list of listings staff moderate, newest first.
type staffListingsData struct {
	Listings []*marketplace.Listing
	Members  map[string]*marketplace.Member
	// Member is the member the list is limited to, if any.
	Member   *marketplace.Member
	Next     string
	Statuses []marketplace.ListingStatus
}

// handleStaffListings lists members' listings, newest first: published
// ones unless ?status= says otherwise, of one member with ?member=.
func (s *Server) handleStaffListings(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := s.staffPage(c, "staff.listings.title", "staff.listings.desc")
	d := &staffListingsData{Statuses: marketplace.ListingStatuses}
	p.Data = d
	f := marketplace.ListingFilter{Kind: marketplace.ListingKind(query(c, "kind")), Cursor: query(c, "cursor"), Limit: 25}
	status := query(c, "status")
	if status == "" {
		status = string(marketplace.StatusPublished)
	}
	if status != "all" {
		f.Statuses = []marketplace.ListingStatus{marketplace.ListingStatus(status)}
	}
	p.Form.Values["status"], p.Form.Values["kind"] = status, string(f.Kind)
	if id := query(c, "member"); id != "" {
		m, err := s.service.FindMember(ctx, id)
		if err != nil {
			return s.renderError(c, err)
		}
		d.Member, f.MemberID = m, m.ID
		p.Form.Values["member"] = m.ID
	}
	if err := f.Validate(); err != nil {
		for _, fe := range marketplace.ErrorFields(err) {
			p.Form.add(fe.Field, "form.error.choose")
		}
		return s.render(c, fiber.StatusBadRequest, "staff_listings", p)
	}
	ls, next, err := s.service.FindListings(ctx, f)
	if err != nil {
		return s.renderError(c, err)
	}
	d.Listings = ls
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.MemberID
	}
	if d.Members, err = s.membersByID(ctx, ids); err != nil {
		return s.renderError(c, err)
	}
	if next != "" {
		q := url.Values{"cursor": {next}, "status": {status}}
		if f.Kind != "" {
			q.Set("kind", string(f.Kind))
		}
		if f.MemberID != "" {
			q.Set("member", f.MemberID)
		}
		d.Next = "/staff/listings?" + q.Encode()
	}
	return s.render(c, fiber.StatusOK, "staff_listings", p)
}

// staffListingData is one listing as staff moderate it, with its history.
type staffListingData struct {
	Listing *marketplace.Listing
	Member  *marketplace.Member
	History []*marketplace.AuditEntry
}

// handleStaffListing shows a listing, whatever its status, with the form
// that removes it.
func (s *Server) handleStaffListing(c *fiber.Ctx) error {
	return s.renderStaffListing(c, s.staffPage(c, "", ""), fiber.StatusOK)
}

func (s *Server) renderStaffListing(c *fiber.Ctx, p *Page, status int) error {
	ctx := c.UserContext()
	l, err := s.service.FindListing(ctx, param(c, "id"))
	if err != nil {
		return s.renderError(c, err)
	}
	m, err := s.service.FindMember(ctx, l.MemberID)
	if err != nil && marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		return s.renderError(c, err)
	}
	d := &staffListingData{Listing: l, Member: m}
	if s.service.Audit != nil {
		if d.History, _, err = s.service.FindAudit(ctx, marketplace.AuditFilter{Subject: "listing:" + l.ID, Limit: 20}); err != nil {
			return s.renderError(c, err)
		}
	}
	p.Title = p.T("staff.listing.title", "Title", l.Title)
	p.Description = p.T("staff.listing.desc")
	p.Data = d
	return s.render(c, status, "staff_listing", p)
}

// handleStaffRemove removes a listing with a note to its member.
func (s *Server) handleStaffRemove(c *fiber.Ctx) error {
	id := param(c, "id")
	note := form(c, "note")
	path := "/staff/listings/" + url.PathEscape(id)
	fe := newForm()
	fe.Values["note"] = note
	if note == "" {
		fe.add("note", "staff.listing.error.note")
		return s.rerenderStaffListing(c, fe)
	}
	_, err := s.service.RemoveListing(c.UserContext(), id, formVersion(c), note)
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, withDone(path, nil, "staff_removed", ""))
	case marketplace.EINVALID:
		for _, f := range marketplace.ErrorFields(err) {
			key, args := fieldMessage("note", f)
			fe.add("note", key, args...)
		}
		return s.rerenderStaffListing(c, fe)
	case marketplace.EPRECONDITION:
		return seeOther(c, withDone(path, nil, "staff_changed", ""))
	case marketplace.ECONFLICT:
		return seeOther(c, withDone(path, nil, "staff_already_removed", ""))
	default:
		return s.renderError(c, err)
	}
}

func (s *Server) rerenderStaffListing(c *fiber.Ctx, fe *Form) error {
	p := s.staffPageAt(c, "/staff/listings/"+url.PathEscape(param(c, "id")), nil)
	p.Form = fe
	return s.renderStaffListing(c, p, fiber.StatusBadRequest)
}

// StaffAuditAction names an action of the audit log.
func (p *Page) StaffAuditAction(action string) string {
	if msg := p.T("staff.audit." + action); msg != "staff.audit."+action {
		return msg
	}
	return action
}
