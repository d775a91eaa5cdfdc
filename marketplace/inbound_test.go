package marketplace_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
)

func TestParseInboundMail(t *testing.T) {
	for name, tc := range map[string]struct {
		raw  string
		want marketplace.InboundMail
	}{
		"PlainWithQuote": {
			raw: "From: Sam <Sam@Example.org>\r\nTo: reply+abc-123@replies.example\r\nMessage-ID: <m1@example.org>\r\n\r\n" +
				"Yes please.\r\n\r\nOn Thu, 3 Dec 2026 at 10:00, Marketplace <noreply@example> wrote:\r\n> Can we?\r\n",
			want: marketplace.InboundMail{From: "sam@example.org", Recipients: []string{"reply+abc-123@replies.example"}, MessageID: "m1@example.org", Text: "Yes please."},
		},
		"MultipartQuotedPrintableWelsh": {
			raw: "From: sian@example.org\r\nDelivered-To: reply+t-x@replies.example\r\nTo: Marketplace <reply+t-x@replies.example>\r\nMessage-ID: <m2@example.org>\r\n" +
				"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
				"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
				"Diolch yn fawr, Si=C3=A2n\r\n\r\nAr ddydd Iau, 3 Rhag 2026 am 10:00, Marchnad ysgrifennodd:\r\n> Helo\r\n" +
				"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Diolch</p>\r\n--b1--\r\n",
			want: marketplace.InboundMail{From: "sian@example.org", Recipients: []string{"reply+t-x@replies.example", "reply+t-x@replies.example"},
				MessageID: "m2@example.org", Text: "Diolch yn fawr, Siân"},
		},
		"Base64AndSignature": {
			raw: "From: a@example.org\r\nTo: b@example.org\r\nMessage-ID: <m3@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
				"VHdvIHdlZWtzIGlzIGZpbmUuCgotLSAKQSBuYW1lCg==\r\n",
			want: marketplace.InboundMail{From: "a@example.org", Recipients: []string{"b@example.org"}, MessageID: "m3@example.org", Text: "Two weeks is fine."},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := marketplace.ParseInboundMail([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("NoMessageIDIsNamedByItsContent", func(t *testing.T) {
		raw := "From: a@example.org\r\nTo: b@example.org\r\n\r\nHi\r\n"
		one, _ := marketplace.ParseInboundMail([]byte(raw))
		two, _ := marketplace.ParseInboundMail([]byte(raw))
		if one.MessageID == "" || one.MessageID != two.MessageID {
			t.Fatalf("message IDs %q and %q; want the same, made from the content", one.MessageID, two.MessageID)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, raw := range []string{"", "not a mail", "To: b@example.org\r\n\r\nno sender\r\n",
			"From: a@example.org\r\nContent-Type: text/html\r\n\r\n<p>only HTML</p>\r\n"} {
			if _, err := marketplace.ParseInboundMail([]byte(raw)); marketplace.ErrorCode(err) != marketplace.EINVALID {
				t.Errorf("%q: %v; want invalid", raw, err)
			}
		}
	})
}

func TestReplyAddress(t *testing.T) {
	token := strings.Repeat("ab", 16)
	addr := marketplace.ReplyAddress("replies.example", "6650d3e4c1a9e43d2f0a1d01", token)
	id, got, ok := marketplace.ParseReplyAddress(strings.ToUpper(addr))
	if !ok || id != "6650d3e4c1a9e43d2f0a1d01" || got != token {
		t.Fatalf("ParseReplyAddress(%q) = %q, %q, %v", addr, id, got, ok)
	}
	for _, bad := range []string{"reply@replies.example", "reply+x@replies.example", "reply+id-short@replies.example", "reply+id-" + strings.Repeat("z", 32) + "@r.example", "noreply"} {
		if _, _, ok := marketplace.ParseReplyAddress(bad); ok {
			t.Errorf("%q parsed as a reply address", bad)
		}
	}
}
