package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// usersData is what the page of a co-op's users shows.
type usersData struct {
	Users []*marketplace.User
	// Invitations are those not yet accepted, expired ones included (to
	// be sent again).
	Invitations []*marketplace.Invitation
	// Owner is true when the signed-in user may manage them.
	Owner bool
}

// handleUsers shows the users of the signed-in user's co-op to its owners,
// with their roles and last sign-in, and lets them change a role or remove
// a user, and invite people; anyone may leave.
func (s *Server) handleUsers(c *fiber.Ctx) error {
	return s.renderUsers(c, fiber.StatusOK, nil)
}

// renderUsers renders the users' page, with the invite form as typed
// when f is not nil.
func (s *Server) renderUsers(c *fiber.Ctx, status int, f *Form) error {
	me := visitOf(c).User
	p := s.page(c, "users.title", "users.desc")
	p.Section = "dashboard"
	if f != nil {
		p.Form = f
	} else {
		p.Form.Values["invite_language"] = p.Lang
	}
	d := &usersData{Owner: me.IsOwnerOf(me.MemberID)}
	if d.Owner {
		users, err := s.service.FindMemberUsers(c.UserContext(), me.MemberID)
		if err != nil {
			return s.renderError(c, err)
		}
		d.Users = users
		invs, err := s.service.FindInvitations(c.UserContext(), me.MemberID)
		if err != nil {
			return s.renderError(c, err)
		}
		d.Invitations = invs
	}
	p.Data = d
	return s.render(c, status, "users", p)
}

// handleUserRole changes a user's role.
func (s *Server) handleUserRole(c *fiber.Ctx) error {
	role := marketplace.Role(form(c, "role"))
	_, err := s.service.ChangeUser(c.UserContext(), param(c, "id"), 0, marketplace.UserChange{Role: &role})
	return s.afterUsers(c, err, "user_changed")
}

// handleUserRemove removes a user, or the signed-in user leaves.
func (s *Server) handleUserRemove(c *fiber.Ctx) error {
	me := visitOf(c).User
	leaving := param(c, "id") == me.ID
	err := s.service.RemoveUser(c.UserContext(), param(c, "id"))
	if err == nil && leaving {
		s.clearCookie(c, sessionCookie)
		return seeOther(c, "/?done=left")
	}
	return s.afterUsers(c, err, "user_removed")
}

// afterUsers goes back to the users' page, saying what happened; a change
// that would leave the co-op without an owner is said there.
func (s *Server) afterUsers(c *fiber.Ctx, err error, done string) error {
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/settings/users?done="+done)
	case marketplace.ECONFLICT:
		return seeOther(c, "/settings/users?done=last_owner")
	default:
		return s.renderError(c, err)
	}
}

// tokensData is what the page of API tokens shows.
type tokensData struct {
	Tokens []*marketplace.Token
	// Secret is a token just made, shown this once.
	Secret string
}

// handleTokens lists the signed-in user's API tokens.
func (s *Server) handleTokens(c *fiber.Ctx) error {
	return s.renderTokens(c, fiber.StatusOK, "")
}

func (s *Server) renderTokens(c *fiber.Ctx, status int, secret string) error {
	p := s.page(c, "tokens.title", "tokens.desc")
	p.Section = "dashboard"
	p.Private = true
	tokens, err := s.service.FindMyTokens(c.UserContext())
	if err != nil {
		return s.renderError(c, err)
	}
	p.Data = &tokensData{Tokens: tokens, Secret: secret}
	return s.render(c, status, "tokens", p)
}

// handleTokenCreate makes a personal token and shows its secret once.
func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	secret, _, err := s.service.CreatePersonalToken(c.UserContext(), form(c, "name"))
	switch marketplace.ErrorCode(err) {
	case "":
		return s.renderTokens(c, fiber.StatusCreated, secret)
	case marketplace.EINVALID:
		return seeOther(c, "/settings/tokens?done=token_name")
	case marketplace.ECONFLICT:
		return seeOther(c, "/settings/tokens?done=token_limit")
	default:
		return s.renderError(c, err)
	}
}

// handleTokenRevoke ends one of the signed-in user's tokens.
func (s *Server) handleTokenRevoke(c *fiber.Ctx) error {
	if err := s.service.RevokeToken(c.UserContext(), param(c, "id")); err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/settings/tokens?done=token_revoked")
}
