package marketplace

import (
	"context"
	"strings"
	"unicode/utf8"
)

// MaxReportReason bounds why someone reports a message, in characters.
const MaxReportReason = 1000

// ReportMessage reports a message of a thread to staff, from one of the
// thread's parties (a member of the public with its link's token), saying
// why. Staff then see the thread. Reporting a message twice from the same
// side records it once.
func (s *Service) ReportMessage(ctx context.Context, threadID, messageID, token, reason string) error {
	reason = strings.TrimSpace(reason)
	var fe fieldErrors
	switch {
	case reason == "":
		fe.broke("reason", RuleRequired, RuleParams{})
	case utf8.RuneCountInString(reason) > MaxReportReason:
		fe.broke("reason", RuleMaxLength, RuleParams{Max: MaxReportReason})
	case hasControl(reason, true):
		fe.broke("reason", RuleControl, RuleParams{})
	}
	t, p, err := s.threadFor(ctx, threadID, token)
	if err != nil {
		return err
	}
	if p.Side == "" {
		return Errorf(ENOTFOUND, "No such thread.")
	}
	if t.Message(messageID) == nil {
		return Errorf(ENOTFOUND, "No such message.")
	}
	if err := fe.err(); err != nil {
		return err
	}
	_, err = s.changeThread(ctx, threadID, func(t *Thread) (bool, error) {
		for _, r := range t.Reports {
			if r.MessageID == messageID && r.Side == p.Side {
				return false, nil
			}
		}
		t.Reports = append(t.Reports, &ThreadReport{MessageID: messageID, Side: p.Side, Reason: reason, At: s.now()})
		return true, nil
	})
	return err
}

// ReportedThread is a thread as staff see it: its messages and the
// reports.
type ReportedThread struct {
	*Thread
	Reports []*ThreadReport `json:"reports"`
}

// FindReportedThreads lists the threads with a report, for staff: only
// those, never the others.
func (s *Service) FindReportedThreads(ctx context.Context) ([]*ReportedThread, error) {
	if err := s.requireStaff(ctx, "moderate messages"); err != nil {
		return nil, err
	}
	ts, err := s.Threads.FindThreadsOf(ctx, "reported")
	if err != nil {
		return nil, err
	}
	out := []*ReportedThread{}
	for _, t := range ts {
		if t.Reported() {
			out = append(out, &ReportedThread{Thread: t, Reports: t.Reports})
		}
	}
	return out, nil
}

// FindReportedThread returns a reported thread to staff; any other thread
// is not found, to staff as to anyone.
func (s *Service) FindReportedThread(ctx context.Context, id string) (*ReportedThread, error) {
	if err := s.requireStaff(ctx, "moderate messages"); err != nil {
		return nil, err
	}
	t, err := s.Threads.FindThreadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !t.Reported() {
		return nil, Errorf(ENOTFOUND, "No such thread.")
	}
	return &ReportedThread{Thread: t, Reports: t.Reports}, nil
}

// ModerateMessage hides a message of a reported thread, with a note for
// the record, and, when suspend is set, suspends its sender: a user is
// suspended (its sessions and tokens end), a member of the public loses
// its link and reply address. Both are in the audit log.
func (s *Service) ModerateMessage(ctx context.Context, threadID, messageID, note string, suspend bool) (*ReportedThread, error) {
	if err := s.requireStaff(ctx, "moderate messages"); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return nil, Invalid(Broken("note", RuleRequired, RuleParams{Hint: ": say why, for the record"}))
	case utf8.RuneCountInString(note) > MaxModerationNote:
		return nil, Invalid(Broken("note", RuleMaxLength, RuleParams{Max: MaxModerationNote}))
	case hasControl(note, true):
		return nil, Invalid(Broken("note", RuleControl, RuleParams{}))
	}
	if _, err := s.FindReportedThread(ctx, threadID); err != nil {
		return nil, err
	}
	var author *ThreadPerson
	t, err := s.changeThread(ctx, threadID, func(t *Thread) (bool, error) {
		m := t.Message(messageID)
		if m == nil {
			return false, Errorf(ENOTFOUND, "No such message.")
		}
		author = t.Person(m.AuthorKey)
		changed := !m.Hidden
		m.Hidden = true
		if suspend && author != nil && author.UserID == "" && !author.Blocked {
			author.Blocked, changed = true, true
		}
		return changed, nil
	})
	if err != nil {
		return nil, err
	}
	subject := "thread:" + threadID
	s.RecordAudit(ctx, "thread.message_hidden", subject, note, map[string]string{"message_id": messageID})
	if suspend && author != nil {
		if author.UserID != "" {
			on := true
			// The message stays hidden when this fails (the member's last
			// owner is not suspended): staff are told why.
			if _, err := s.ChangeUser(ctx, author.UserID, 0, UserChange{Suspended: &on}); err != nil {
				return nil, err
			}
		}
		s.RecordAudit(ctx, "thread.sender_suspended", subject, note, map[string]string{"message_id": messageID, "person": author.Key})
	}
	return &ReportedThread{Thread: t, Reports: t.Reports}, nil
}
