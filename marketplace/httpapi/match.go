package httpapi

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// matchFilter reads the queue's query parameters.
func matchFilter(c *fiber.Ctx) (marketplace.MatchFilter, error) {
	limit, err := limitParam(c)
	if err != nil {
		return marketplace.MatchFilter{}, err
	}
	f := marketplace.MatchFilter{
		Status: marketplace.MatchStatus(query(c, "status")), Category: query(c, "category"),
		Area: query(c, "area"), Cursor: query(c, "cursor"), Limit: limit,
	}
	if v := c.Query("min_score"); v != "" {
		if f.MinScore, err = strconv.ParseFloat(v, 64); err != nil {
			return f, marketplace.Invalid(marketplace.FieldError{Field: "min_score", Message: "must be a number from 0 to 100"})
		}
	}
	if v := c.Query("retired"); v != "" {
		if f.IncludeRetired, err = strconv.ParseBool(v); err != nil {
			return f, marketplace.Invalid(marketplace.FieldError{Field: "retired", Message: "must be true or false"})
		}
	}
	return f, nil
}

func (s *Server) handleStaffMatches(c *fiber.Ctx) error {
	f, err := matchFilter(c)
	if err != nil {
		return err
	}
	views, next, err := s.service.FindMatchesForReview(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page[*marketplace.MatchView]{Items: nonNilViews(views), NextCursor: next})
}

func (s *Server) handleMyMatches(c *fiber.Ctx) error {
	f, err := matchFilter(c)
	if err != nil {
		return err
	}
	views, next, err := s.service.FindMyMatches(c.UserContext(), f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(page[*marketplace.MatchView]{Items: nonNilViews(views), NextCursor: next})
}

func nonNilViews(v []*marketplace.MatchView) []*marketplace.MatchView {
	if v == nil {
		return []*marketplace.MatchView{}
	}
	return v
}

func (s *Server) handleMatchView(c *fiber.Ctx) error {
	v, err := s.service.FindMatchForReview(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	etag(c, v.Version)
	return c.JSON(v)
}

type reviewRequest struct {
	Note       string                  `json:"note"`
	Reason     string                  `json:"reason"`
	Outcome    marketplace.MatchStatus `json:"outcome"`
	ValuePence int64                   `json:"value_pence"`
}

func (s *Server) handleMatchIntroduce(c *fiber.Ctx) error {
	return s.review(c, func(version int64, req reviewRequest) (*marketplace.MatchView, error) {
		return s.service.IntroduceMatch(c.UserContext(), param(c, "id"), version, req.Note)
	})
}

func (s *Server) handleMatchDismiss(c *fiber.Ctx) error {
	return s.review(c, func(version int64, req reviewRequest) (*marketplace.MatchView, error) {
		return s.service.DismissMatch(c.UserContext(), param(c, "id"), version, req.Reason)
	})
}

func (s *Server) handleMatchOutcome(c *fiber.Ctx) error {
	return s.review(c, func(version int64, req reviewRequest) (*marketplace.MatchView, error) {
		return s.service.RecordOutcome(c.UserContext(), param(c, "id"), version, req.Outcome, req.ValuePence, req.Note)
	})
}

// review runs a staff action on a match; the body is optional for
// introductions, If-Match optional for all.
func (s *Server) review(c *fiber.Ctx, act func(int64, reviewRequest) (*marketplace.MatchView, error)) error {
	version, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var req reviewRequest
	if len(c.Body()) > 0 {
		if err := decodeBody(c, &req); err != nil {
			return err
		}
	}
	v, err := act(version, req)
	if err != nil {
		return err
	}
	etag(c, v.Version)
	return c.JSON(v)
}

func (s *Server) handleMatchDecline(c *fiber.Ctx) error {
	v, err := s.service.DeclineMatch(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	etag(c, v.Version)
	return c.JSON(v)
}

// handleStats answers the federation's figures; from and to are dates or
// RFC 3339 times (default: the last twelve months).
func (s *Server) handleStats(c *fiber.Ctx) error {
	to := time.Now().UTC()
	from := to.AddDate(-1, 0, 0)
	var fe []marketplace.FieldError
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		v := c.Query(name)
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			*dst = t
		} else if t, err := time.Parse(time.DateOnly, v); err == nil {
			*dst = t
		} else {
			fe = append(fe, marketplace.FieldError{Field: name, Message: "must be a date (2026-01-31) or an RFC 3339 time"})
		}
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	st, err := s.service.Stats(c.UserContext(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (s *Server) handleAudit(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	entries, next, err := s.service.FindAudit(c.UserContext(), marketplace.AuditFilter{
		Subject: query(c, "subject"), Action: query(c, "action"), Cursor: query(c, "cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []*marketplace.AuditEntry{}
	}
	return c.JSON(page[*marketplace.AuditEntry]{Items: entries, NextCursor: next})
}
