package web

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// staffMembersData is the members' list: applications waiting for staff,
// then the members with their standing and dues.
type staffMembersData struct {
	DuesOff      bool
	Applications []*payments.Application
	// Members of the applications, by ID.
	AppMembers map[string]*marketplace.Member
	Dues       []*payments.MemberDues
	// Members is the list when the service keeps no dues.
	Members   []*marketplace.Member
	Next      string
	Standings []marketplace.Standing
}

// handleStaffMembers lists the applications waiting for a decision and the
// members, ?standing= to choose.
func (s *Server) handleStaffMembers(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := s.staffPage(c, "staff.members.title", "staff.members.desc")
	d := &staffMembersData{Standings: marketplace.Standings}
	p.Data = d
	standing := marketplace.Standing(query(c, "standing"))
	p.Form.Values["standing"] = string(standing)
	if standing != "" && !standing.Valid() {
		p.Form.add("standing", "form.error.choose")
		return s.render(c, fiber.StatusBadRequest, "staff_members", p)
	}
	f := marketplace.MemberFilter{Standing: standing, Cursor: query(c, "cursor"), Limit: 50}
	var next string
	var err error
	if dues := s.staffDues(); dues != nil {
		apps, _, err := dues.FindApplications(ctx, payments.ApplicationFilter{Status: payments.ApplicationPending, Limit: marketplace.MaxPageSize})
		if err != nil {
			return s.renderError(c, err)
		}
		d.Applications = apps
		ids := make([]string, len(apps))
		for i, a := range apps {
			ids[i] = a.MemberID
		}
		if d.AppMembers, err = s.membersByID(ctx, ids); err != nil {
			return s.renderError(c, err)
		}
		d.Dues, next, err = dues.FindMemberDues(ctx, f)
		if err != nil {
			return s.renderError(c, err)
		}
	} else {
		d.DuesOff = true
		d.Members, next, err = s.service.FindMembers(ctx, f)
		if err != nil {
			return s.renderError(c, err)
		}
	}
	if next != "" {
		q := url.Values{"cursor": {next}}
		if standing != "" {
			q.Set("standing", string(standing))
		}
		d.Next = "/staff/members?" + q.Encode()
	}
	return s.render(c, fiber.StatusOK, "staff_members", p)
}

// staffMemberData is one member as staff see it: its standing and dues,
// its applications, and the forms that act on them.
type staffMemberData struct {
	Member  *marketplace.Member
	DuesOff bool
	Status  *payments.Status
	// Pending are the applications waiting for a decision.
	Pending []*payments.Application
	// CanAct is false while the member awaits approval or is cancelled:
	// no waiver or payment can be recorded then.
	CanAct bool
	Today  string
}

// handleStaffMember shows one member's standing and dues.
func (s *Server) handleStaffMember(c *fiber.Ctx) error {
	return s.renderStaffMember(c, s.staffPage(c, "", ""), fiber.StatusOK)
}

// renderStaffMember shows the member of the route, keeping what p's form
// holds.
func (s *Server) renderStaffMember(c *fiber.Ctx, p *Page, status int) error {
	ctx := c.UserContext()
	m, err := s.service.FindMember(ctx, param(c, "id"))
	if err != nil {
		return s.renderError(c, err)
	}
	p.Title = p.T("staff.member.title", "Name", m.Name)
	p.Description = p.T("staff.member.desc", "Name", m.Name)
	d := &staffMemberData{Member: m, Today: s.now().In(ukTime).Format(time.DateOnly),
		CanAct: m.Standing != marketplace.StandingPending && m.Standing != marketplace.StandingCancelled}
	if dues := s.staffDues(); dues != nil {
		if d.Status, err = dues.FindStatus(ctx, m.ID); err != nil {
			return s.renderError(c, err)
		}
		for _, a := range d.Status.Applications {
			if a.Status == payments.ApplicationPending {
				d.Pending = append(d.Pending, a)
			}
		}
	} else {
		d.DuesOff = true
	}
	p.Data = d
	return s.render(c, status, "staff_member", p)
}

// handleStaffDecide approves, adjusts or refuses an application: the
// button pressed says which.
func (s *Server) handleStaffDecide(c *fiber.Ctx) error {
	dues := s.staffDues()
	if dues == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Dues are not managed here."))
	}
	memberID, appID := param(c, "id"), param(c, "app")
	notes, amount := form(c, "notes"), form(c, "amount")
	fe := newForm()
	fe.Values[appField("notes", appID)], fe.Values[appField("amount", appID)] = notes, amount
	d := payments.Decision{Notes: notes}
	switch form(c, "decision") {
	case "approve":
		d.Status = payments.ApplicationApproved
	case "adjust":
		d.Status = payments.ApplicationAdjusted
		pence, ok := parsePounds(amount)
		if !ok || pence <= 0 {
			fe.add(appField("amount", appID), "staff.member.error.amount")
		}
		d.AmountPence = pence
		if notes == "" {
			fe.add(appField("notes", appID), "staff.member.error.notes")
		}
	case "refuse":
		d.Status = payments.ApplicationRefused
		if notes == "" {
			fe.add(appField("notes", appID), "staff.member.error.notes")
		}
	default:
		fe.Problem = "staff.member.error.decision"
	}
	if !fe.ok() {
		return s.rerenderStaffMember(c, fe)
	}
	// The application must be this member's: the page showed it so.
	apps, _, err := dues.FindApplications(c.UserContext(), payments.ApplicationFilter{MemberID: memberID, Limit: marketplace.MaxPageSize})
	if err != nil {
		return s.renderError(c, err)
	}
	found := false
	for _, a := range apps {
		found = found || a.ID == appID
	}
	if !found {
		return s.renderError(c, marketplace.Errorf(marketplace.ENOTFOUND, "No such application."))
	}
	_, err = dues.DecideApplication(c.UserContext(), appID, d)
	return s.afterMemberAction(c, err, fe, "staff_decided", func(field string) string {
		switch field {
		case "amount_pence", "hardship.amount_pence":
			return appField("amount", appID)
		case "notes":
			return appField("notes", appID)
		}
		return ""
	})
}

// appField names a field of one application's form.
func appField(name, appID string) string { return name + "_" + appID }

// handleStaffWaiver lets a member be active without paying until a date.
func (s *Server) handleStaffWaiver(c *fiber.Ctx) error {
	dues := s.staffDues()
	if dues == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Dues are not managed here."))
	}
	fe := newForm()
	until, reason := form(c, "until"), form(c, "waiver_reason")
	fe.Values["until"], fe.Values["waiver_reason"] = until, reason
	t, err := time.ParseInLocation(time.DateOnly, until, ukTime)
	if err != nil {
		fe.add("until", "form.error.date")
	}
	if reason == "" {
		fe.add("waiver_reason", "staff.member.error.waiver_reason")
	}
	if !fe.ok() {
		return s.rerenderStaffMember(c, fe)
	}
	// A waiver lasts to the end of the day it names.
	_, err = dues.GrantWaiver(c.UserContext(), param(c, "id"), payments.WaiverInput{Until: t.AddDate(0, 0, 1).Add(-time.Second), Reason: reason})
	return s.afterMemberAction(c, err, fe, "staff_waiver", func(field string) string {
		switch field {
		case "until":
			return "until"
		case "reason":
			return "waiver_reason"
		}
		return ""
	})
}

// handleStaffPayment records dues paid by bank transfer for a period.
func (s *Server) handleStaffPayment(c *fiber.Ctx) error {
	dues := s.staffDues()
	if dues == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Dues are not managed here."))
	}
	fe := newForm()
	for _, k := range []string{"paid", "period_start", "period_end", "reference"} {
		fe.Values[k] = form(c, k)
	}
	pence, ok := parsePounds(fe.Values["paid"])
	if !ok || pence <= 0 {
		fe.add("paid", "staff.member.error.amount")
	}
	start, err1 := time.ParseInLocation(time.DateOnly, fe.Values["period_start"], ukTime)
	if err1 != nil {
		fe.add("period_start", "form.error.date")
	}
	end, err2 := time.ParseInLocation(time.DateOnly, fe.Values["period_end"], ukTime)
	if err2 != nil {
		fe.add("period_end", "form.error.date")
	} else if err1 == nil && !end.After(start) {
		fe.add("period_end", "staff.member.error.period")
	}
	if fe.Values["reference"] == "" {
		fe.add("reference", "staff.member.error.reference")
	}
	if !fe.ok() {
		return s.rerenderStaffMember(c, fe)
	}
	// The period runs from the start of its first day to the end of its
	// last.
	_, err := dues.RecordOfflinePayment(c.UserContext(), param(c, "id"), payments.OfflinePaymentInput{
		AmountPence: pence, PeriodStart: start, PeriodEnd: end.AddDate(0, 0, 1).Add(-time.Second), Reference: fe.Values["reference"],
	})
	return s.afterMemberAction(c, err, fe, "staff_payment", func(field string) string {
		switch field {
		case "amount_pence":
			return "paid"
		case "period_start", "period_end", "reference":
			return field
		}
		return ""
	})
}

// afterMemberAction answers a staff action on a member's dues: back to the
// member with a message when done; the member's page with the errors
// beside the fields (fieldOf names the form's field of the domain's) when
// the input was wrong, or with what stood in the way.
func (s *Server) afterMemberAction(c *fiber.Ctx, err error, fe *Form, done string, fieldOf func(string) string) error {
	path := "/staff/members/" + url.PathEscape(param(c, "id"))
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, withDone(path, nil, done, ""))
	case marketplace.EINVALID:
		for _, f := range marketplace.ErrorFields(err) {
			name := fieldOf(f.Field)
			if name == "" {
				fe.Problem = "form.error.invalid"
				continue
			}
			key, args := fieldMessage(name, f)
			fe.add(name, key, args...)
		}
		if fe.ok() {
			fe.Problem = "form.error.invalid"
		}
		return s.rerenderStaffMember(c, fe)
	case marketplace.ECONFLICT:
		if fields := marketplace.ErrorFields(err); len(fields) == 1 && fields[0].Rule == marketplace.RuleRecorded {
			fe.add("reference", "staff.member.error.reference_used")
		} else {
			fe.Problem = "staff.member.error.conflict"
		}
		return s.rerenderStaffMember(c, fe)
	case marketplace.EPRECONDITION:
		return seeOther(c, withDone(path, nil, "staff_changed", ""))
	default:
		return s.renderError(c, err)
	}
}

// rerenderStaffMember shows the member again with the form's errors.
func (s *Server) rerenderStaffMember(c *fiber.Ctx, fe *Form) error {
	p := s.staffPageAt(c, "/staff/members/"+url.PathEscape(param(c, "id")), nil)
	p.Form = fe
	return s.renderStaffMember(c, p, fiber.StatusBadRequest)
}

// StaffAppField returns the field of one application's form.
func (p *Page) StaffAppField(name, appID string) fieldView { return p.Field(appField(name, appID)) }
