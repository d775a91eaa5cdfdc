package marketplace

import (
	"context"
)

// Telling the sides of a thread: each user of a member in their own
// language, a member of the public at the address it confirmed.

// tellSide tells the side that did not write msg about it: the member's
// inbox, mail to each of its users who wants it (each with its own reply
// address) and its webhook; or the member of the public's mail.
func (s *Service) tellSide(ctx context.Context, t *Thread, msg *ThreadMessage) error {
	typ := NotifyThreadAnswer
	if msg.ID == "1" && t.Kind == ThreadEnquiry {
		typ = NotifyEnquiryNew
	}
	to := msg.Side.Other()
	note := ThreadNotice{New: typ == NotifyEnquiryNew, Title: t.ListingTitle, Author: msg.Author, Body: msg.Body, Known: msg.Known}
	if to == SideBuyer {
		note.Author = t.SupplierName
	} else if t.BuyerMemberID != "" {
		note.Author = msg.Author + " (" + t.BuyerName + ")"
	}
	return s.tellThreadSide(ctx, t, to, typ, "thread:"+t.ID+":"+msg.ID,
		map[string]string{"thread_id": t.ID, "message_id": msg.ID},
		func(link string) Message { note.Link = link; return note })
}

// tellThreadSide tells one side of a thread something: message makes what
// is said from the link the reader follows.
func (s *Service) tellThreadSide(ctx context.Context, t *Thread, to Side, typ, about string, data map[string]string, message func(link string) Message) error {
	memberID := t.SupplierMemberID
	if to == SideBuyer {
		memberID = t.BuyerMemberID
	}
	if memberID == "" {
		// The member of the public: by mail, with a link that lets it
		// read the thread without an account.
		p := t.Person("public")
		if p == nil || p.Email == "" || p.Blocked {
			return nil // none, erased, or suspended by staff
		}
		token := ReplyToken(s.Secret, t.ID, p)
		return s.mailPublic(ctx, about, typ, p, s.replyAddress(t.ID, token), message(s.link("/threads/"+t.ID+"?token="+token)), data)
	}
	// The member: as any notification to it, but who wrote in the thread
	// hears the answers unless they said no, and replies to a mail go
	// back to the thread.
	return s.notifyMemberMailing(ctx, memberID, typ, about, message(s.link("/threads/"+t.ID)), data, memberMailing{
		wants: func(u *User, prefs Preferences) bool {
			if _, chosen := prefs[typ][ChannelEmail]; !chosen && t.Person("user:"+u.ID) != nil {
				return true
			}
			return prefs.Wants(u, typ, ChannelEmail)
		},
		replyTo: func(u *User) (string, error) {
			p, err := s.threadPerson(ctx, t, u, to)
			if err != nil {
				return "", err
			}
			return s.replyAddress(t.ID, ReplyToken(s.Secret, t.ID, p)), nil
		},
	})
}

// mailPublic mails a member of the public about a thread: someone with
// no account, so no preferences; the mail goes only to an address its
// owner typed and, but for the confirmation, confirmed, in the language
// of the page it wrote from.
func (s *Service) mailPublic(ctx context.Context, about, typ string, p *ThreadPerson, replyTo string, msg Message, data map[string]string) error {
	if p.Blocked {
		return nil // staff suspended it: it hears no more
	}
	w, err := s.Messages.WriteMessage(msg, p.Lang)
	if err != nil {
		return err
	}
	return s.notify(ctx, &Notification{
		ID: NotificationKey(about, "public", ChannelEmail), Type: typ, Channel: ChannelEmail,
		To: p.Email, ReplyTo: replyTo, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang, Link: msg.MessageLink(), Data: data,
	})
}
