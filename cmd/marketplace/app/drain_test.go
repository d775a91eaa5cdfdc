package app_test

import (
	"context"
	"testing"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

// TestCloseWaitsForResetMail: a reset link asked for just before shutdown
// is still mailed. The look-up and the mail happen after the answer (so
// that the answer says nothing of the address), and closing waits for
// them before it closes the database and the mailer.
func TestCloseWaitsForResetMail(t *testing.T) {
	smtp := mailtest.NewServer(t)
	a := apptest.Open(t, apptest.Options{Env: map[string]string{"SMTP_URL": smtp.URL, "MAIL_FROM": "Marketplace <hello@federation.example>"}})
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Hebden Bridge Bakers", Email: "hello@hebdenbakers.example",
		Postcode: "HX7 6AA", Sectors: []string{"food-catering"}, Standing: marketplace.StandingActive}
	if err := a.Service.CreateMember(marketplace.NewContextWithUser(context.Background(), marketplace.SystemUser("test")), m); err != nil {
		t.Fatal(err)
	}
	emails := []string{"rhian@hebdenbakers.example", "dai@hebdenbakers.example", "sian@hebdenbakers.example"}
	for _, email := range emails {
		apptest.AddUser(t, a.Service, m.ID, marketplace.NewUser{Email: email, Password: "bara brith every morning", Role: marketplace.RoleOwner})
	}
	for _, email := range emails {
		if err := a.Service.RequestPasswordReset(context.Background(), email); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := smtp.Messages(); len(got) != len(emails) {
		t.Errorf("%d reset mails sent before closing returned; want %d", len(got), len(emails))
	}
}
