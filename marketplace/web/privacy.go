package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// The rights pages: a signed-in user downloads what is held about them,
// an owner its co-op's, as a file (JSON) or a page to read; and a user
// closes their account.

// privacySettingsData is what /settings/privacy shows.
type privacySettingsData struct {
	Owner    bool
	MemberID string
	// Prepared is the link of a download just asked for, shown once.
	Prepared string
}

func (s *Server) handlePrivacySettings(c *fiber.Ctx) error {
	p := s.page(c, "privacy.settings.title", "privacy.settings.desc")
	p.Section = "dashboard"
	me := visitOf(c).User
	p.Data = &privacySettingsData{Owner: me.IsOwnerOf(me.MemberID), MemberID: me.MemberID}
	return s.render(c, fiber.StatusOK, "privacy_settings", p)
}

// exportSubject is the subject of an export page: the user ("me"), or
// their member ("coop").
func exportSubject(c *fiber.Ctx, whose string) marketplace.Subject {
	me := visitOf(c).User
	if whose == "coop" {
		return marketplace.MemberSubject(me.MemberID)
	}
	return marketplace.UserSubject(me.ID)
}

// handlePrivacyExportFile sends the export as a JSON file to keep.
func (s *Server) handlePrivacyExportFile(whose string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.sendExportFile(c, whose)
	}
}

func (s *Server) sendExportFile(c *fiber.Ctx, whose string) error {
	export, err := s.service.ExportPersonalData(c.UserContext(), exportSubject(c, whose))
	if err != nil {
		return s.renderError(c, err)
	}
	body, err := json.MarshalIndent(export, "", "  ")
	if err != nil {
		return s.renderError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="personal-data-%s.json"`, export.MadeAt.Format("2006-01-02")))
	c.Type("json", "utf-8")
	return c.Send(body)
}

// exportSection is one kind of record on the readable export.
type exportSection struct {
	Kind    string
	Records [][]exportField
}

type exportField struct {
	Name, Value string
}

// privacyExportData is the readable export.
type privacyExportData struct {
	Subject  marketplace.Subject
	MadeAt   time.Time
	Sections []exportSection
	File     string
}

// handlePrivacyExportPage shows the export as a page to read.
func (s *Server) handlePrivacyExportPage(whose string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.showExport(c, whose)
	}
}

func (s *Server) showExport(c *fiber.Ctx, whose string) error {
	export, err := s.service.ExportPersonalData(c.UserContext(), exportSubject(c, whose))
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "privacy.export.title", "privacy.export.desc")
	p.Section = "dashboard"
	d := &privacyExportData{Subject: export.Subject, MadeAt: export.MadeAt, File: "/settings/privacy/" + whose + ".json"}
	kinds := make([]string, 0, len(export.Records))
	for k := range export.Records {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		sec := exportSection{Kind: k}
		for _, r := range export.Records[k] {
			sec.Records = append(sec.Records, exportFields(r))
		}
		d.Sections = append(d.Sections, sec)
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "privacy_export", p)
}

// exportFields lists a record's fields by name, each value as written in
// the file.
func exportFields(r map[string]any) []exportField {
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	slices.Sort(names)
	fields := make([]exportField, 0, len(names))
	for _, n := range names {
		var v string
		switch x := r[n].(type) {
		case string:
			v = x
		case time.Time:
			v = x.UTC().Format(time.RFC3339)
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		fields = append(fields, exportField{Name: n, Value: v})
	}
	return fields
}

// handleCloseAccount closes the signed-in user's account once they have
// confirmed it; the last owner of a member is told why not.
func (s *Server) handleCloseAccount(c *fiber.Ctx) error {
	refuse := func(status int, field, problem string) error {
		p := s.page(c, "privacy.settings.title", "privacy.settings.desc")
		p.Section = "dashboard"
		me := visitOf(c).User
		p.Data = &privacySettingsData{Owner: me.IsOwnerOf(me.MemberID), MemberID: me.MemberID}
		if field != "" {
			p.Form.add(field, "privacy.close.confirm_missing")
			p.Form.Labels = map[string]string{"confirm": "privacy.close.confirm"}
		}
		p.Form.Problem = problem
		return s.render(c, status, "privacy_settings", p)
	}
	if strings.TrimSpace(form(c, "confirm")) == "" {
		return refuse(fiber.StatusUnprocessableEntity, "confirm", "")
	}
	err := s.service.CloseAccount(c.UserContext())
	switch marketplace.ErrorCode(err) {
	case "":
	case marketplace.ECONFLICT:
		return refuse(fiber.StatusConflict, "", "privacy.close.last_owner")
	default:
		return s.renderError(c, err)
	}
	s.clearCookie(c, sessionCookie)
	return seeOther(c, "/?done=account_closed")
}

// handleStaffMemberData sends staff a member's export, for a subject
// access request.
func (s *Server) handleStaffMemberData(c *fiber.Ctx) error {
	export, err := s.service.ExportPersonalData(c.UserContext(), marketplace.MemberSubject(param(c, "id")))
	if err != nil {
		return s.renderError(c, err)
	}
	body, err := json.MarshalIndent(export, "", "  ")
	if err != nil {
		return s.renderError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="member-data-%s.json"`, export.Subject.ID))
	c.Type("json", "utf-8")
	return c.Send(body)
}

// handleStaffMemberErase erases a member and its users once staff have
// confirmed it.
func (s *Server) handleStaffMemberErase(c *fiber.Ctx) error {
	if strings.TrimSpace(form(c, "erase_confirm")) == "" {
		p := s.staffPage(c, "", "")
		p.Form.add("erase_confirm", "privacy.staff.erase_confirm_missing")
		p.Form.Labels = map[string]string{"erase_confirm": "privacy.staff.erase_title"}
		return s.renderStaffMember(c, p, fiber.StatusUnprocessableEntity)
	}
	if err := s.service.ErasePersonalData(c.UserContext(), marketplace.MemberSubject(param(c, "id"))); err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/staff/members?done=member_erased")
}

// handlePrivacyPrepare has a job prepare a download of the user's data (or
// with whose=coop their co-op's), for data too large to build at once, and
// shows its link, this once.
func (s *Server) handlePrivacyPrepare(c *fiber.Ctx) error {
	whose := "me"
	if form(c, "whose") == "coop" {
		whose = "coop"
	}
	secret, _, err := s.service.RequestExport(c.UserContext(), exportSubject(c, whose))
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.page(c, "privacy.settings.title", "privacy.settings.desc")
	p.Section = "dashboard"
	me := visitOf(c).User
	p.Data = &privacySettingsData{Owner: me.IsOwnerOf(me.MemberID), MemberID: me.MemberID, Prepared: "/settings/privacy/download/" + secret}
	return s.render(c, fiber.StatusOK, "privacy_settings", p)
}

// handlePrivacyDownload sends a prepared download to who asked for it, or
// says it is still being prepared.
func (s *Server) handlePrivacyDownload(c *fiber.Ctx) error {
	e, err := s.service.FetchExport(c.UserContext(), param(c, "secret"))
	if err != nil {
		return s.renderError(c, err)
	}
	if e.Status != marketplace.ExportReady {
		p := s.page(c, "privacy.prepare.pending_title", "privacy.settings.desc")
		p.Section = "dashboard"
		return s.render(c, fiber.StatusOK, "privacy_pending", p)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="personal-data-%s.json"`, e.CreatedAt.Format("2006-01-02")))
	c.Type("json", "utf-8")
	return c.Send(e.Body)
}
