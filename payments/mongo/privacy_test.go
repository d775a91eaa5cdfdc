package mongo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// TestDuesPersonalData exports a member's dues, erases the member and the
// staff user who recorded its payment: the amounts stay, the free text and
// the user's address go.
func TestDuesPersonalData(t *testing.T) {
	s := openStores(t)
	ctx := context.Background()
	member := primitive.NewObjectID().Hex()
	dues, _ := payments.DuesPolicy{}.Compute(marketplace.MemberEnterprise, 500_000_00, nil)
	a := &payments.Account{MemberID: member, WaiverUntil: now.AddDate(0, 2, 0), WaiverReason: "zqx flood at the printworks",
		OfflinePayments: []payments.OfflinePayment{{AmountPence: 180_00, PeriodStart: now, PeriodEnd: now.AddDate(1, 0, 0),
			Reference: "BACS 1", RecordedBy: "zqx-staff@federation.example", RecordedAt: now}},
		CreatedAt: now, UpdatedAt: now}
	if err := s.Accounts.SaveAccount(ctx, a, 0); err != nil {
		t.Fatal(err)
	}
	app := &payments.Application{MemberID: member, Year: 2026, Kind: payments.ApplicationHardship, LabourCostsPence: 500_000_00,
		Reason: "zqx our founder is ill", Dues: dues, Status: payments.ApplicationApproved, StaffNotes: "zqx spoke to them",
		DecidedBy: "zqx-staff@federation.example", Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.Applications.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}

	records := marketplace.PersonalRecords{}
	for _, d := range s.PersonalData() {
		if err := d.ExportSubject(ctx, marketplace.MemberSubject(member), records); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"dues_accounts", "dues_applications"} {
		if b, _ := json.Marshal(records[kind]); len(records[kind]) != 1 || !strings.Contains(string(b), "zqx") {
			t.Errorf("the export's %s: %s", kind, b)
		}
	}

	for _, sub := range []marketplace.Subject{
		{Kind: marketplace.SubjectUser, ID: primitive.NewObjectID().Hex(), Email: "zqx-staff@federation.example"},
		marketplace.MemberSubject(member),
	} {
		for _, d := range s.PersonalData() {
			if err := d.EraseSubject(ctx, sub, marketplace.NewPseudonym()); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := s.Accounts.FindAccount(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	gotApp, err := s.Applications.FindApplicationByID(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]any{got, gotApp})
	if strings.Contains(string(b), "zqx") {
		t.Errorf("after erasure the dues still hold a marker: %s", b)
	}
	if len(got.OfflinePayments) != 1 || got.OfflinePayments[0].AmountPence != 180_00 || gotApp.LabourCostsPence != 500_000_00 || gotApp.Dues != app.Dues {
		t.Errorf("the dues payments did not stay: %+v %+v", got.OfflinePayments, gotApp)
	}
}
