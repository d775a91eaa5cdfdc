package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// profileFields are the fields of the profile form, in their order on the
// page.
var profileFields = []string{"name", "description", "website", "email", "postcode", "sectors", "values", "headcount", "registration_number"}

// profileLabels are the labels of the profile form's fields.
var profileLabels = map[string]string{
	"name": "profile.field.name", "description": "profile.field.description", "website": "profile.field.website",
	"email": "profile.field.email", "postcode": "profile.field.postcode", "sectors": "profile.field.sectors",
	"values": "profile.field.values", "headcount": "profile.field.headcount", "registration_number": "profile.field.registration",
}

// profileData is what the profile form shows: the member as it is stored,
// and the sectors and values to choose from.
type profileData struct {
	Member  *marketplace.Member
	Sectors []marketplace.Sector
	Values  []marketplace.Value
}

// handleProfile shows a member's owners the form to change its profile,
// filled in.
func (s *Server) handleProfile(c *fiber.Ctx) error {
	m, err := s.ownProfile(c)
	if err != nil {
		return s.renderForbidden(c, err, "profile.owners_only")
	}
	p := s.page(c, "profile.title", "profile.desc", "Name", m.Name)
	p.Section = "dashboard"
	fillProfileForm(p.Form, m)
	p.Data = &profileData{Member: m, Sectors: marketplace.Taxonomy.Sectors, Values: marketplace.Values}
	return s.render(c, fiber.StatusOK, "profile", p)
}

// ownProfile returns the member of the route when the signed-in user is
// one of its owners; EFORBIDDEN for anyone else.
func (s *Server) ownProfile(c *fiber.Ctx) (*marketplace.Member, error) {
	ctx := c.UserContext()
	p, err := s.service.FindMemberProfile(ctx, param(c, "slug"))
	if err != nil {
		return nil, err
	}
	if !visitOf(c).User.IsOwnerOf(p.ID) {
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Only the member's owners can change its profile.")
	}
	return s.service.FindMember(ctx, p.ID)
}

// handleProfileUpdate saves the profile with the version the form was
// filled from, or shows the form again, as typed, with what is wrong next
// to each field, or with a word that someone else saved first.
func (s *Server) handleProfileUpdate(c *fiber.Ctx) error {
	m, err := s.ownProfile(c)
	if err != nil {
		return s.renderForbidden(c, err, "profile.owners_only")
	}
	p := s.page(c, "profile.title", "profile.desc", "Name", m.Name)
	p.Section = "dashboard"
	f := p.Form
	upd := readProfileForm(c, f)
	version, _ := strconv.ParseInt(form(c, "version"), 10, 64)
	f.Values["version"] = strconv.FormatInt(version, 10)
	check := *m
	applyProfile(&check, upd)
	check.Normalize()
	addProfileErrors(f, check.Validate())
	if f.ok() {
		saved, err := s.service.UpdateMember(c.UserContext(), m.ID, version, upd)
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/coops/"+saved.Slug+"?done=profile_saved")
		case marketplace.EPRECONDITION:
			// What was typed stays; saving again writes over the newer
			// version.
			f.Problem = "profile.error.changed"
			f.Values["version"] = strconv.FormatInt(m.Version, 10)
		case marketplace.EINVALID:
			addProfileErrors(f, err)
		default:
			return s.renderForbidden(c, err, "profile.owners_only")
		}
	}
	f.sortErrors(profileFields)
	f.Labels = profileLabels
	p.Data = &profileData{Member: m, Sectors: marketplace.Taxonomy.Sectors, Values: marketplace.Values}
	return s.render(c, fiber.StatusUnprocessableEntity, "profile", p)
}

// readProfileForm reads the form into an update of every field of the
// profile, noting in f what cannot be read (a headcount that is not a
// number).
func readProfileForm(c *fiber.Ctx, f *Form) marketplace.MemberUpdate {
	for _, name := range []string{"name", "website", "email", "postcode", "headcount", "registration_number"} {
		f.Values[name] = form(c, name)
	}
	description := strings.TrimSpace(strings.ReplaceAll(strings.Clone(c.FormValue("description")), "\r\n", "\n"))
	f.Values["description"] = description
	sectors, values := []string{}, []string{}
	for _, v := range c.Request().PostArgs().PeekMulti("sectors") {
		sectors = append(sectors, string(v))
	}
	for _, v := range c.Request().PostArgs().PeekMulti("values") {
		values = append(values, string(v))
	}
	f.Multi["sectors"], f.Multi["values"] = sectors, values
	headcount := 0
	if raw := strings.ReplaceAll(f.Values["headcount"], ",", ""); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			f.add("headcount", "form.error.whole_number")
		}
		headcount = n
	}
	name, website, email := f.Values["name"], f.Values["website"], f.Values["email"]
	postcode, registration := f.Values["postcode"], f.Values["registration_number"]
	return marketplace.MemberUpdate{
		Name: &name, Description: &description, Website: &website, Email: &email, Sectors: &sectors,
		Postcode: &postcode, Headcount: &headcount, Values: &values, RegistrationNumber: &registration,
	}
}

// applyProfile sets the fields of the form's update on m, to check them
// before saving.
func applyProfile(m *marketplace.Member, u marketplace.MemberUpdate) {
	m.Name, m.Description, m.Website, m.Email = *u.Name, *u.Description, *u.Website, *u.Email
	m.Sectors, m.Postcode, m.Headcount, m.Values = *u.Sectors, *u.Postcode, *u.Headcount, *u.Values
	m.RegistrationNumber = *u.RegistrationNumber
}

// fillProfileForm puts a member's profile into the form.
func fillProfileForm(f *Form, m *marketplace.Member) {
	f.Values["name"] = m.Name
	f.Values["description"] = m.Description
	f.Values["website"] = m.Website
	f.Values["email"] = m.Email
	f.Values["postcode"] = m.Postcode
	if m.Headcount > 0 {
		f.Values["headcount"] = strconv.Itoa(m.Headcount)
	}
	f.Values["registration_number"] = m.RegistrationNumber
	f.Multi["sectors"] = slices.Clone(m.Sectors)
	f.Multi["values"] = slices.Clone(m.Values)
	f.Values["version"] = strconv.FormatInt(m.Version, 10)
}

// addProfileErrors records the field errors of an EINVALID error from the
// domain against the profile form's fields.
func addProfileErrors(f *Form, err error) {
	if err == nil {
		return
	}
	fields := marketplace.ErrorFields(err)
	if len(fields) == 0 {
		f.Problem = "form.error.invalid"
	}
	for _, fe := range fields {
		name := formField(fe.Field)
		if !slices.Contains(profileFields, name) {
			f.Problem = "form.error.invalid"
			continue
		}
		key, args := profileMessage(name, fe)
		f.add(name, key, args...)
	}
}

// profileKeys word rules more precisely for fields of the profile.
var profileKeys = map[fieldRule]string{
	{"name", marketplace.RuleRequired}:                    "profile.error.name_required",
	{"email", marketplace.RuleRequired}:                   "profile.error.email_required",
	{"postcode", marketplace.RuleRequired}:                "profile.error.postcode_required",
	{"website", marketplace.RuleWebAddress}:               "profile.error.website",
	{"registration_number", marketplace.RuleRegistration}: "profile.error.registration",
	{"sectors", marketplace.RuleMaxItems}:                 "profile.error.sectors_max",
	{"values", marketplace.RuleMaxItems}:                  "profile.error.values_max",
}

// profileMessage returns the catalogue key (and its data) of a domain
// error about a field of the profile.
func profileMessage(field string, fe marketplace.FieldError) (string, []any) {
	if key, ok := profileKeys[fieldRule{field, fe.Rule}]; ok {
		return key, ruleData(fe.Params)
	}
	if field == "sectors" || field == "values" {
		return "form.error.choose", nil
	}
	return fieldMessage(field, fe)
}
