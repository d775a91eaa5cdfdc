package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// The joint-quote form: the quote, the lead's own part (part0_…) and a row
// for each partner (partN_member, partN_category, partN_share), kept in the
// form itself so that it works without JavaScript: each button posts the
// whole form with an "action" saying what to do, and the page comes back
// with one more row, one fewer, or the draft made.

// jointQuoteFields are the fields of the joint-quote form above its rows.
var jointQuoteFields = []string{"price", "price_unit", "covers", "valid_until", "note", "part0_category", "part0_share"}

// jointQuoteLabels are their labels, and those of the rows.
var jointQuoteLabels = map[string]string{
	"price": "quote.field.price", "price_unit": "quote.field.unit", "covers": "quote.field.covers",
	"valid_until": "quote.field.valid_until", "note": "quote.field.note",
	"part0_category": "partners.field.category", "part0_share": "partners.field.share",
	"parts": "partners.field.parts", "partner": "partners.field.partner",
}

// jointRow is a partner's row of the form.
type jointRow struct {
	Index      int
	MemberID   string
	MemberName string
	Slug       string
	// Category is the category a new row starts with.
	Category string
}

// jointQuoteData is what the joint-quote page shows.
type jointQuoteData struct {
	Need        *marketplace.Listing
	Units       []string
	Rows        []jointRow
	Suggestions *marketplace.PartnerSuggestions
	// CanAdd says whether another partner fits (Max, the most members a
	// joint quote has, the lead's own part included).
	CanAdd bool
	Max    int
}

// partRowView is a part of the form as the "joint-part" partial shows it.
type partRowView struct {
	Index int
	Name  string
}

func init() {
	funcs["partRow"] = func(i int, name string) partRowView { return partRowView{Index: i, Name: name} }
}

// handleJointQuoteForm shows the form to answer a need together with
// other co-ops, with the partners the marketplace suggests; only a member
// that may quote on the need sees it.
func (s *Server) handleJointQuoteForm(c *fiber.Ctx) error {
	d, err := s.jointQuoteData(c, nil)
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.jointQuotePage(c, d)
	p.Form.Values["price_unit"] = d.Need.PriceUnit
	p.Form.Values["part0_category"] = d.Need.Category
	return s.render(c, fiber.StatusOK, "joint_quote", p)
}

// handleJointQuote takes the form's buttons: add a partner by its address,
// invite a suggested co-op, remove a row, or draft the joint quote, which
// invites every partner to accept its part.
func (s *Server) handleJointQuote(c *fiber.Ctx) error {
	id := param(c, "id")
	rows := jointRowsOf(c)
	f := newForm()
	action, arg, _ := strings.Cut(form(c, "action"), ":")
	status := fiber.StatusOK
	switch action {
	case "remove":
		if i, err := strconv.Atoi(arg); err == nil && i >= 1 && i <= len(rows) {
			rows = slices.Delete(rows, i-1, i)
		}
	case "add", "invite":
		who, category := form(c, "partner"), ""
		if action == "invite" {
			who, category, _ = strings.Cut(arg, ":")
		}
		row, key := s.jointPartner(c, who, rows)
		if row.Category = category; category == "" {
			row.Category = form(c, "part0_category")
		}
		if key != "" {
			f.add("partner", key)
			status = fiber.StatusUnprocessableEntity
		} else {
			rows = append(rows, row)
		}
	case "draft":
		q, err := s.draftJointQuote(c, id, rows, f)
		if err == nil {
			return seeOther(c, "/listings/"+q.NeedID+"?done=joint_drafted#quotes")
		}
		if marketplace.ErrorCode(err) != marketplace.EINVALID {
			return s.renderError(c, err)
		}
		status = fiber.StatusUnprocessableEntity
	}
	d, err := s.jointQuoteData(c, rows)
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.jointQuotePage(c, d)
	for _, name := range jointQuoteFields {
		p.Form.Values[name] = form(c, name)
	}
	for i, r := range d.Rows {
		n := strconv.Itoa(i + 1)
		p.Form.Values["part"+n+"_category"] = form(c, "part"+strconv.Itoa(r.Index)+"_category")
		p.Form.Values["part"+n+"_share"] = form(c, "part"+strconv.Itoa(r.Index)+"_share")
		if p.Form.Values["part"+n+"_category"] == "" {
			p.Form.Values["part"+n+"_category"] = r.Category
		}
		d.Rows[i].Index = i + 1
	}
	if action != "add" || status != fiber.StatusOK {
		p.Form.Values["partner"] = form(c, "partner")
	}
	p.Form.errors, p.Form.order, p.Form.Problem = f.errors, f.order, f.Problem
	fields := append([]string{}, jointQuoteFields...)
	for i := range d.Rows {
		n := strconv.Itoa(i + 1)
		fields = append(fields, "part"+n+"_category", "part"+n+"_share")
		p.Form.Labels["part"+n+"_category"], p.Form.Labels["part"+n+"_share"] = "partners.field.category", "partners.field.share"
	}
	p.Form.sortErrors(append(fields, "parts", "partner"))
	return s.render(c, status, "joint_quote", p)
}

// jointRowsOf reads the partners' rows the form carries, numbered from 1.
func jointRowsOf(c *fiber.Ctx) []jointRow {
	var rows []jointRow
	for i := 1; i < marketplace.MaxQuoteParts; i++ {
		n := strconv.Itoa(i)
		if id := form(c, "part"+n+"_member"); id != "" {
			rows = append(rows, jointRow{Index: i, MemberID: id, MemberName: form(c, "part"+n+"_name"), Slug: form(c, "part"+n+"_slug")})
		}
	}
	return rows
}

// jointPartner finds the co-op to add by its address on the marketplace
// (or ID), or says why it cannot be added (a catalogue key).
func (s *Server) jointPartner(c *fiber.Ctx, who string, rows []jointRow) (jointRow, string) {
	who = strings.TrimPrefix(strings.TrimSpace(who), "/coops/")
	if who == "" {
		return jointRow{}, "partners.error.partner_required"
	}
	if len(rows)+1 >= marketplace.MaxQuoteParts {
		return jointRow{}, "partners.error.too_many"
	}
	m, err := s.service.FindMemberProfile(c.UserContext(), who)
	if err != nil || m.Kind != marketplace.MemberEnterprise {
		return jointRow{}, "partners.error.partner_unknown"
	}
	me := visitOf(c).User
	if me.BelongsTo(m.ID) || slices.ContainsFunc(rows, func(r jointRow) bool { return r.MemberID == m.ID }) {
		return jointRow{}, "partners.error.partner_twice"
	}
	// New rows are numbered after the form's last, and renumbered when the
	// page is shown.
	next := 1
	if len(rows) > 0 {
		next = rows[len(rows)-1].Index + 1
	}
	return jointRow{Index: next, MemberID: m.ID, MemberName: m.Name, Slug: m.Slug}, ""
}

// draftJointQuote drafts the joint quote the form describes, recording on
// f what is wrong with it.
func (s *Server) draftJointQuote(c *fiber.Ctx, needID string, rows []jointRow, f *Form) (*marketplace.Quote, error) {
	me := visitOf(c).User
	in := marketplace.JointQuoteInput{QuoteInput: marketplace.QuoteInput{
		PriceUnit: form(c, "price_unit"), Covers: form(c, "covers"), ValidUntil: form(c, "valid_until"), Note: form(c, "note")}}
	if v, ok := parsePoundsUpTo(form(c, "price"), marketplace.MaxPricePence); ok && v > 0 {
		in.PricePence = v
	} else {
		f.add("price", "quote.error.price")
	}
	// Field names of the form by the domain's, parts[i] being row i.
	names := map[string]string{"price_pence": "price"}
	parts := append([]jointRow{{Index: 0, MemberID: me.MemberID}}, rows...)
	for i, r := range parts {
		from, to := "part"+strconv.Itoa(r.Index), "part"+strconv.Itoa(i)
		var cats []string
		if cat := form(c, from+"_category"); cat != "" {
			cats = []string{cat}
		}
		share, ok := parsePoundsUpTo(form(c, from+"_share"), marketplace.MaxPricePence)
		if !ok || share <= 0 {
			f.add(to+"_share", "partners.error.share")
			share = 0 // the domain refuses it too, so nothing is drafted
		}
		in.Parts = append(in.Parts, marketplace.PartInput{MemberID: r.MemberID, Categories: cats, SharePence: share})
		p := "parts[" + strconv.Itoa(i) + "]."
		names[p+"share_pence"], names[p+"categories"], names[p+"member_id"] = to+"_share", to+"_category", "parts"
	}
	q, err := s.service.SendJointQuote(c.UserContext(), needID, in)
	if err != nil && marketplace.ErrorCode(err) == marketplace.EINVALID {
		if len(marketplace.ErrorFields(err)) == 0 {
			f.Problem = invalid
		}
		for _, fe := range marketplace.ErrorFields(err) {
			if fe.Field == "" {
				f.Problem = invalid
				continue
			}
			name, ok := names[fe.Field]
			if !ok {
				name = formField(fe.Field)
			}
			switch {
			case name == "parts" && fe.Rule == marketplace.RuleMinItems:
				f.add(name, "partners.error.parts_min")
			case name == "parts" && strings.Contains(fe.Params.Value, "add up"):
				f.add(name, "partners.error.parts_sum")
			case name == "parts":
				f.add(name, "partners.error.parts")
			case strings.HasSuffix(name, "_share"):
				f.add(name, "partners.error.share")
			case strings.HasSuffix(name, "_category"):
				f.add(name, "partners.error.category")
			default:
				key, args := fieldMessage(name, fe)
				f.add(name, key, args...)
			}
		}
	}
	return q, err
}

// jointQuoteData gathers the page's data: the need, which the signed-in
// user's member must be free to quote on (SuggestPartners checks it),
// and the partners suggested besides those in the rows.
func (s *Server) jointQuoteData(c *fiber.Ctx, rows []jointRow) (*jointQuoteData, error) {
	id := param(c, "id")
	exclude := make([]string, 0, len(rows))
	for _, r := range rows {
		exclude = append(exclude, r.MemberID)
	}
	sg, err := s.service.SuggestPartners(c.UserContext(), id, exclude)
	if err != nil {
		return nil, err
	}
	need, err := s.service.FindListing(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	return &jointQuoteData{Need: need, Units: marketplace.PriceUnits, Rows: rows, Suggestions: sg,
		CanAdd: len(rows)+1 < marketplace.MaxQuoteParts, Max: marketplace.MaxQuoteParts}, nil
}

func (s *Server) jointQuotePage(c *fiber.Ctx, d *jointQuoteData) *Page {
	p := s.page(c, "partners.title", "", "Need", d.Need.Title)
	p.Private = true
	p.Form.Labels = map[string]string{}
	for k, v := range jointQuoteLabels {
		p.Form.Labels[k] = v
	}
	p.Data = d
	return p
}

// PartLabel words a part of a need: its category's name, or a tag.
func (p *Page) PartLabel(part marketplace.NeedPart) string {
	if part.Kind == marketplace.PartCategory {
		return p.T("partners.part.category", "Category", p.Category(part.Value))
	}
	return p.T("partners.part.tag", "Tag", part.Value)
}
