package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// listingFields are the fields of the listing form, in their order on the
// page.
var listingFields = []string{"kind", "title", "description", "category", "tags", "postcode", "remote", "radius_km", "price_min", "price_max", "price_unit", "deadline", "expires_at"}

// listingLabels are the labels of the listing form's fields.
var listingLabels = map[string]string{
	"kind": "listing.field.kind", "title": "listing.field.title", "description": "listing.field.about",
	"category": "listing.field.category", "tags": "listing.field.tags", "postcode": "listing.field.postcode",
	"remote": "listing.field.remote", "radius_km": "listing.field.radius", "price_min": "listing.field.price_min",
	"price_max": "listing.field.price_max", "price_unit": "listing.field.price_unit", "deadline": "listing.field.deadline",
	"expires_at": "listing.field.expires",
}

// listingData is what the listing page shows.
type listingData struct {
	Listing *marketplace.Listing
	Member  *marketplace.MemberProfile
	// Mine is true when the viewer works for the member that posted it;
	// the Can… fields say which of its actions the listing allows.
	Mine                                    bool
	CanEdit, CanPublish, CanPause, CanClose bool
	// Quotes are a need's quotes as the viewer may see them (quote.go):
	// all of them to its member, its own to a quoting member; CanQuote
	// says whether the viewer's member may send one.
	Quotes   []*marketplace.Quote
	CanQuote bool
	Units    []string
}

// handleListing shows a listing to whoever may see it
// (marketplace.Listing.ShownTo).
func (s *Server) handleListing(c *fiber.Ctx) error {
	v := visitOf(c)
	ctx := c.UserContext()
	l, m, err := s.service.ViewListing(ctx, param(c, "id"))
	if err != nil {
		return s.renderError(c, err)
	}
	mine := v.User.BelongsTo(l.MemberID)
	d := &listingData{Listing: l, Member: m, Mine: mine}
	if mine {
		st := l.Status
		d.CanEdit = st.Open()
		d.CanPublish = st == marketplace.StatusDraft || st == marketplace.StatusPaused || st == marketplace.StatusExpired
		d.CanPause = st == marketplace.StatusPublished
		d.CanClose = st.Open()
	}
	if err := s.needQuotes(c, d); err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "", "")
	p.Title = l.Title
	p.OGType = "article"
	p.Description = summary(l.Description, 160)
	if p.Description == "" {
		p.Description = p.T("listing.desc", "Kind", p.Kind(l.Kind), "Member", m.Name, "Category", p.Category(l.Category))
	}
	p.Private = p.Private || l.Status != marketplace.StatusPublished
	p.Data = d
	return s.render(c, fiber.StatusOK, "listing", p)
}

// summary cuts text to about n runes at a space, for descriptions.
func summary(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	cut := n
	for cut > n/2 && r[cut] != ' ' {
		cut--
	}
	return strings.TrimRight(string(r[:cut]), " ,.;:") + "…"
}

// listingFormData is what the form to post or edit a listing shows.
type listingFormData struct {
	// Listing is the listing edited, nil for a new one.
	Listing *marketplace.Listing
	Units   []string
	// Blocked is the catalogue key of why the member may not post now
	// ("" when it may).
	Blocked string
}

// handleListingNew shows the form to post a listing.
func (s *Server) handleListingNew(c *fiber.Ctx) error {
	p := s.page(c, "listing.new.title", "listing.new.desc")
	p.Section = "dashboard"
	d := &listingFormData{Units: marketplace.PriceUnits, Blocked: s.blocked(c)}
	p.Data = d
	kind := query(c, "kind")
	if kind != string(marketplace.KindNeed) {
		kind = string(marketplace.KindOffer)
	}
	p.Form.Values["kind"] = kind
	p.Form.Values["radius_km"] = strconv.Itoa(marketplace.DefaultRadiusKM)
	return s.render(c, fiber.StatusOK, "listing_form", p)
}

// blocked returns the catalogue key of why the signed-in user's member may
// not post listings now, or "".
func (s *Server) blocked(c *fiber.Ctx) string {
	me := visitOf(c).User
	if me.MemberID == "" {
		return "listing.blocked.no_member"
	}
	m, err := s.service.FindMember(c.UserContext(), me.MemberID)
	if err != nil {
		return "listing.blocked.no_member"
	}
	if why := m.Standing.PostBlock(); why != "" {
		return "listing.blocked." + why
	}
	return ""
}

// handleListingCreate posts a listing as a draft, or shows the form again
// with what is wrong next to each field.
func (s *Server) handleListingCreate(c *fiber.Ctx) error {
	p := s.page(c, "listing.new.title", "listing.new.desc")
	p.Section = "dashboard"
	f := p.Form
	kind := marketplace.ListingKind(form(c, "kind"))
	f.Values["kind"] = string(kind)
	if kind != marketplace.KindOffer && kind != marketplace.KindNeed {
		f.add("kind", "listing.error.kind")
		kind = marketplace.KindOffer
	}
	upd := readListingForm(c, f, kind)
	l := &marketplace.Listing{Kind: kind}
	upd.Apply(l)
	l.ApplyDefaults()
	check := *l
	check.Normalize()
	addDomainErrors(f, check.Validate(s.now()))
	if f.ok() {
		err := s.service.CreateListing(c.UserContext(), l)
		if err == nil {
			return seeOther(c, "/listings/"+l.ID+"?done=created")
		}
		if !addDomainErrors(f, err) {
			return s.renderError(c, err)
		}
	}
	f.sortErrors(listingFields)
	f.Labels = listingLabels
	p.Data = &listingFormData{Units: marketplace.PriceUnits}
	return s.render(c, fiber.StatusUnprocessableEntity, "listing_form", p)
}

// handleListingEdit shows the form to change a listing, filled in.
func (s *Server) handleListingEdit(c *fiber.Ctx) error {
	l, err := s.ownListing(c)
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "listing.edit.title", "listing.edit.desc", "Title", l.Title)
	p.Section = "dashboard"
	fillListingForm(p.Form, l)
	p.Data = &listingFormData{Listing: l, Units: marketplace.PriceUnits}
	return s.render(c, fiber.StatusOK, "listing_form", p)
}

// ownListing returns the listing of the route when the signed-in user's
// member posted it and it can still be edited.
func (s *Server) ownListing(c *fiber.Ctx) (*marketplace.Listing, error) {
	l, err := s.service.FindListing(c.UserContext(), param(c, "id"))
	if err != nil {
		return nil, err
	}
	if !visitOf(c).User.BelongsTo(l.MemberID) {
		if l.Status != marketplace.StatusPublished {
			return nil, marketplace.Errorf(marketplace.ENOTFOUND, "No such listing.")
		}
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Only the member that posted a listing can change it.")
	}
	if !l.Status.Open() {
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "A %s listing cannot be edited.", l.Status)
	}
	return l, nil
}

// handleListingUpdate saves the changes to a listing, or shows the form
// again with what is wrong.
func (s *Server) handleListingUpdate(c *fiber.Ctx) error {
	l, err := s.ownListing(c)
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "listing.edit.title", "listing.edit.desc", "Title", l.Title)
	p.Section = "dashboard"
	f := p.Form
	f.Values["kind"] = string(l.Kind)
	upd := readListingForm(c, f, l.Kind)
	version, _ := strconv.ParseInt(form(c, "version"), 10, 64)
	f.Values["version"] = strconv.FormatInt(version, 10)
	check := *l
	upd.Apply(&check)
	check.Normalize()
	addDomainErrors(f, check.Validate(s.now()))
	if f.ok() {
		_, err := s.service.UpdateListing(c.UserContext(), l.ID, version, upd)
		switch {
		case err == nil:
			return seeOther(c, "/listings/"+l.ID+"?done=saved")
		case marketplace.ErrorCode(err) == marketplace.EPRECONDITION:
			f.Problem = "listing.error.changed"
			f.Values["version"] = strconv.FormatInt(l.Version, 10)
		case !addDomainErrors(f, err):
			return s.renderError(c, err)
		}
	}
	f.sortErrors(listingFields)
	f.Labels = listingLabels
	p.Data = &listingFormData{Listing: l, Units: marketplace.PriceUnits}
	return s.render(c, fiber.StatusUnprocessableEntity, "listing_form", p)
}

// readListingForm reads the listing form into an update that sets every
// field, noting in f what cannot be read (a price that is not an amount).
// A need has no radius and an offer no deadline: those fields are ignored.
func readListingForm(c *fiber.Ctx, f *Form, kind marketplace.ListingKind) marketplace.ListingUpdate {
	var u marketplace.ListingUpdate
	for _, name := range []string{"title", "category", "tags", "postcode", "radius_km", "price_min", "price_max", "price_unit", "deadline", "expires_at"} {
		f.Values[name] = form(c, name)
	}
	description := strings.TrimSpace(strings.ReplaceAll(strings.Clone(c.FormValue("description")), "\r\n", "\n"))
	f.Values["description"] = description
	remote := form(c, "remote") != ""
	if remote {
		f.Values["remote"] = "on"
	}
	title, category, postcode, unit := f.Values["title"], f.Values["category"], f.Values["postcode"], f.Values["price_unit"]
	u.Title, u.Description, u.Category, u.Postcode, u.Remote, u.PriceUnit = &title, &description, &category, &postcode, &remote, &unit
	tags := []string{}
	for _, t := range strings.Split(f.Values["tags"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	u.Tags = &tags
	radius := 0
	if kind == marketplace.KindOffer && f.Values["radius_km"] != "" {
		r, err := strconv.Atoi(f.Values["radius_km"])
		if err != nil {
			f.add("radius_km", "form.error.whole_number")
		}
		radius = r
	}
	u.RadiusKM = &radius
	var lo, hi int64
	var ok bool
	if lo, ok = parsePounds(f.Values["price_min"]); !ok {
		f.add("price_min", "form.error.pounds")
	}
	if hi, ok = parsePounds(f.Values["price_max"]); !ok {
		f.add("price_max", "form.error.pounds")
	}
	if lo > 0 && hi == 0 {
		hi = lo // a single price is a range of one
	}
	u.PriceMinPence, u.PriceMaxPence = &lo, &hi
	if kind == marketplace.KindNeed {
		if t, ok := readDate(f, "deadline"); ok && t != nil {
			u.Deadline = t
		} else if ok {
			u.ClearDeadline = true
		}
	} else {
		u.ClearDeadline = true
	}
	if t, ok := readDate(f, "expires_at"); ok && t != nil {
		u.ExpiresAt = t
	}
	return u
}

// readDate reads a date field (2027-03-01) as the end of that day in the
// UK; nil when it is empty, false when it is not a date.
func readDate(f *Form, name string) (*time.Time, bool) {
	raw := f.Values[name]
	if raw == "" {
		return nil, true
	}
	d, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		f.add(name, "form.error.date")
		return nil, false
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, ukTime).UTC()
	return &t, true
}

// fillListingForm puts a listing's fields into the form.
func fillListingForm(f *Form, l *marketplace.Listing) {
	f.Values["kind"] = string(l.Kind)
	f.Values["title"] = l.Title
	f.Values["description"] = l.Description
	f.Values["category"] = l.Category
	f.Values["tags"] = strings.Join(l.Tags, ", ")
	f.Values["postcode"] = l.Postcode
	if l.Remote {
		f.Values["remote"] = "on"
	}
	if l.Kind == marketplace.KindOffer {
		f.Values["radius_km"] = strconv.Itoa(l.RadiusKM)
	}
	f.Values["price_min"] = formatPounds(l.PriceMinPence)
	f.Values["price_max"] = formatPounds(l.PriceMaxPence)
	f.Values["price_unit"] = l.PriceUnit
	if l.Deadline != nil {
		f.Values["deadline"] = l.Deadline.In(ukTime).Format(time.DateOnly)
	}
	if l.ExpiresAt != nil {
		f.Values["expires_at"] = l.ExpiresAt.In(ukTime).Format(time.DateOnly)
	}
	f.Values["version"] = strconv.FormatInt(l.Version, 10)
}

// listingAction is one of the buttons of a listing.
type listingAction string

const (
	actionPublish listingAction = "published"
	actionPause   listingAction = "paused"
	actionClose   listingAction = "closed"
)

// handleListingAction publishes, pauses or closes a listing.
func (s *Server) handleListingAction(a listingAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := param(c, "id")
		version, _ := strconv.ParseInt(form(c, "version"), 10, 64)
		var err error
		switch a {
		case actionPublish:
			_, err = s.service.PublishListing(c.UserContext(), id, version)
		case actionPause:
			_, err = s.service.PauseListing(c.UserContext(), id, version)
		case actionClose:
			_, err = s.service.CloseListing(c.UserContext(), id, version)
		}
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/listings/"+id+"?done="+string(a))
		case marketplace.EPRECONDITION:
			return seeOther(c, "/listings/"+id+"?done=changed")
		case marketplace.EINVALID:
			// The listing no longer passes (a deadline gone by): edit it.
			return seeOther(c, "/listings/"+id+"/edit?done=fix")
		}
		return s.renderError(c, err)
	}
}
