package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// duesApplyFields are the fields of the dues application, in their order
// on the page.
var duesApplyFields = []string{"year", "labour_costs", "kind", "hardship_amount", "reason"}

// duesApplyLabels are the labels of the dues application's fields.
var duesApplyLabels = map[string]string{
	"year": "duesapply.field.year", "labour_costs": "duesapply.field.labour_costs", "kind": "duesapply.field.kind",
	"hardship_amount": "duesapply.field.hardship_amount", "reason": "duesapply.field.reason",
}

// shownApplications is how many of its applications, newest first, the
// page shows a member.
const shownApplications = 5

// duesApplicationData is what the dues application page shows an owner.
type duesApplicationData struct {
	Member *marketplace.Member
	// Worker is true for a worker member, which declares no labour costs
	// and asks for no hardship dues: it asks to join without dues.
	Worker bool
	// Years are the years an application may be for: this one and the
	// next.
	Years []int
	// Blocked is the catalogue key of why the member cannot apply now ("" when it can).
	Blocked string
	// Applications are the member's newest applications, newest first,
	// with the dues each works out to and where staff's review is.
	Applications []*payments.Application
	// Pending holds the years with an application waiting for staff; a
	// new application for such a year replaces it.
	Pending map[int]bool
}

// applyLink returns the catalogue key of the link to the dues application
// for a member whose dues are not settled.
func applyLink(st *payments.Status) string {
	for _, a := range st.Applications {
		if a.Status == payments.ApplicationPending {
			return "duesapply.link.pending"
		}
	}
	if st.Kind == marketplace.MemberWorker {
		return "duesapply.link.worker"
	}
	return "duesapply.link.declare"
}

// duesApplication returns what the page shows the signed-in user: an
// owner of a member, or EFORBIDDEN.
func (s *Server) duesApplication(c *fiber.Ctx) (*duesApplicationData, error) {
	ctx := c.UserContext()
	me := visitOf(c).User
	if !me.IsOwnerOf(me.MemberID) {
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Only an owner of a member can apply for its dues.")
	}
	m, err := s.service.FindMember(ctx, me.MemberID)
	if err != nil {
		return nil, err
	}
	d := &duesApplicationData{Member: m, Worker: m.Kind == marketplace.MemberWorker, Pending: map[int]bool{}}
	if s.cfg.Dues == nil {
		d.Blocked = "dues.off"
		return d, nil
	}
	st, err := s.cfg.Dues.FindStatus(ctx, "")
	if err != nil {
		return nil, err
	}
	d.Years = []int{st.Year, st.Year + 1}
	if st.Standing == marketplace.StandingCancelled {
		d.Blocked = "dues.next.cancelled"
	}
	for i, a := range st.Applications {
		if a.Status == payments.ApplicationPending {
			d.Pending[a.Year] = true
		}
		if i < shownApplications {
			d.Applications = append(d.Applications, a)
		}
	}
	return d, nil
}

// handleDuesApplication shows an owner its member's dues applications and
// the form to declare its labour costs or ask for hardship dues, filled in
// from the application waiting for staff, if any.
func (s *Server) handleDuesApplication(c *fiber.Ctx) error {
	d, err := s.duesApplication(c)
	if err != nil {
		return s.renderForbidden(c, err, "duesapply.owners_only")
	}
	p := s.page(c, "duesapply.title", "duesapply.desc")
	p.Section = "dashboard"
	p.Data = d
	f := p.Form
	if len(d.Years) > 0 {
		f.Values["year"] = strconv.Itoa(d.Years[0])
	}
	f.Values["kind"] = string(payments.ApplicationDeclaration)
	for _, a := range d.Applications {
		if a.Status == payments.ApplicationPending {
			fillDuesApplication(f, a, d.Worker)
			break
		}
	}
	return s.render(c, fiber.StatusOK, "duesapply", p)
}

// handleDuesApply sends the owner's application to staff, through the
// same use case as POST /v1/dues/application, or shows the form again with
// what is wrong next to each field.
func (s *Server) handleDuesApply(c *fiber.Ctx) error {
	d, err := s.duesApplication(c)
	if err != nil {
		return s.renderForbidden(c, err, "duesapply.owners_only")
	}
	switch d.Blocked {
	case "":
	case "dues.off":
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Dues are not managed here."))
	default:
		return s.renderProblem(c, visitOf(c), fiber.StatusForbidden, "error.forbidden.title", d.Blocked)
	}
	p := s.page(c, "duesapply.title", "duesapply.desc")
	p.Section = "dashboard"
	f := p.Form
	in := readDuesApplication(c, f, d)
	if f.ok() {
		_, err := s.cfg.Dues.Apply(c.UserContext(), in)
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/dues/apply?done=dues_applied")
		case marketplace.EINVALID:
			addApplicationErrors(f, err)
		default:
			return s.renderForbidden(c, err, "duesapply.owners_only")
		}
	}
	f.sortErrors(duesApplyFields)
	f.Labels = duesApplyLabels
	p.Data = d
	return s.render(c, fiber.StatusUnprocessableEntity, "duesapply", p)
}

// readDuesApplication reads the form into an application, noting in f
// what is missing or cannot be read. A worker member sends only the year;
// the hardship fields count only when hardship dues are asked for.
func readDuesApplication(c *fiber.Ctx, f *Form, d *duesApplicationData) payments.ApplicationInput {
	var in payments.ApplicationInput
	for _, name := range []string{"year", "labour_costs", "kind", "hardship_amount"} {
		f.Values[name] = form(c, name)
	}
	reason := strings.TrimSpace(strings.ReplaceAll(strings.Clone(c.FormValue("reason")), "\r\n", "\n"))
	f.Values["reason"] = reason
	year, err := strconv.Atoi(f.Values["year"])
	if err != nil || !slices.Contains(d.Years, year) {
		f.add("year", "form.error.choose")
	}
	in.Year = year
	if d.Worker {
		f.Values["kind"] = string(payments.ApplicationDeclaration)
		return in
	}
	switch raw := f.Values["labour_costs"]; {
	case raw == "":
		f.add("labour_costs", "duesapply.error.labour_required")
	default:
		pence, ok := parsePoundsUpTo(raw, payments.MaxLabourCostsPence)
		if ok {
			in.LabourCostsPence = &pence
		} else if _, ok := parsePoundsUpTo(raw, 1<<62); ok {
			f.add("labour_costs", "duesapply.error.labour_max", "Amount", formatMoney(payments.MaxLabourCostsPence))
		} else {
			f.add("labour_costs", "form.error.pounds")
		}
	}
	switch payments.ApplicationKind(f.Values["kind"]) {
	case payments.ApplicationDeclaration:
	case payments.ApplicationHardship:
		amount, ok := parsePounds(f.Values["hardship_amount"])
		switch {
		case f.Values["hardship_amount"] == "":
			f.add("hardship_amount", "duesapply.error.hardship_amount_required")
		case !ok:
			f.add("hardship_amount", "form.error.pounds")
		case amount <= 0:
			f.add("hardship_amount", "duesapply.error.hardship_amount_required")
		}
		if reason == "" {
			f.add("reason", "duesapply.error.reason_required")
		}
		in.Hardship = &payments.HardshipInput{AmountPence: amount, Reason: reason}
	default:
		f.add("kind", "duesapply.error.kind")
	}
	return in
}

// fillDuesApplication puts an application into the form, to change it.
func fillDuesApplication(f *Form, a *payments.Application, worker bool) {
	f.Values["year"] = strconv.Itoa(a.Year)
	f.Values["kind"] = string(a.Kind)
	if worker {
		return
	}
	f.Values["labour_costs"] = formatPounds(a.LabourCostsPence)
	if a.LabourCostsPence == 0 {
		f.Values["labour_costs"] = "0"
	}
	if a.Kind == payments.ApplicationHardship {
		f.Values["hardship_amount"] = formatPounds(a.HardshipAmountPence)
		f.Values["reason"] = a.Reason
	}
}

// addApplicationErrors records the field errors of an EINVALID error of
// the dues against the form's fields.
func addApplicationErrors(f *Form, err error) {
	for _, fe := range marketplace.ErrorFields(err) {
		name, key, args := applicationError(fe)
		if name == "" {
			f.Problem = "form.error.invalid"
			continue
		}
		f.add(name, key, args...)
	}
	if f.ok() {
		f.Problem = "form.error.invalid"
	}
}

// applicationError returns the form field, the catalogue key and its data
// of a field error of the dues ("" when no field of the form has it).
func applicationError(fe marketplace.FieldError) (string, string, []any) {
	data := ruleData(fe.Params)
	switch fe.Field {
	case "year":
		return "year", "form.error.choose", nil
	case "labour_costs_pence":
		switch fe.Rule {
		case marketplace.RuleRequired:
			return "labour_costs", "duesapply.error.labour_required", nil
		case marketplace.RuleMax:
			return "labour_costs", "duesapply.error.labour_max", data
		}
		return "labour_costs", "form.error.pounds", nil
	case "hardship.amount_pence":
		switch fe.Rule {
		case marketplace.RuleMinAmount:
			return "hardship_amount", "duesapply.error.hardship_min", data
		case marketplace.RuleMaxDues:
			return "hardship_amount", "duesapply.error.hardship_max", data
		}
		return "hardship_amount", "form.error.pounds", nil
	case "hardship.reason":
		switch fe.Rule {
		case marketplace.RuleRequired:
			return "reason", "duesapply.error.reason_required", nil
		case marketplace.RuleMaxLength, marketplace.RuleControl:
			key, args := fieldMessage("reason", fe)
			return "reason", key, args
		}
		return "reason", "form.error.invalid", nil
	case "hardship":
		if fe.Rule == marketplace.RuleWorkerHardship {
			return "kind", "duesapply.error.worker_hardship", nil
		}
		return "kind", "duesapply.error.hardship_years", nil
	}
	return "", "", nil
}
