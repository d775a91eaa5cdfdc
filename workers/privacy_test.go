package workers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/search"
)

// TestErasedMemberLeavesSearchAndMatching erases a member whose offer is
// indexed and in the candidate pool: the offer leaves matching at once
// and search with the job the erasure queues, while another member's stays.
func TestErasedMemberLeavesSearchAndMatching(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	ctx := context.Background()
	erased, owner := me.member(t, "Erased Printers", "LS9 8AB")
	gone := me.publish(t, owner, leafletOffer("LS9 8AB", 50))
	_, keptOwner := me.member(t, "Kept Printers", "LS9 8AB")
	kept := me.publish(t, keptOwner, leafletOffer("LS9 8AB", 50))
	_, buyer := me.member(t, "Buying Tenants", "LS6 1AA")
	need := me.publish(t, buyer, leafletNeed())
	waitForIdleQueues(t, me.env)

	indexed := func() []string {
		t.Helper()
		docs, err := me.app.Search.(interface {
			Documents(context.Context) ([]search.Document, error)
		}).Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		return ids
	}
	offers := func() []string {
		t.Helper()
		best, err := me.service.Pool.BestMatches(ctx, need, true, me.now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range best {
			ids = append(ids, m.OfferID)
		}
		return ids
	}
	if ids := indexed(); !slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Fatalf("before erasure the index holds %v; want both offers", ids)
	}
	if ids := offers(); !slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Fatalf("before erasure matching finds %v; want both offers", ids)
	}

	if err := me.service.ErasePersonalData(me.staff, marketplace.MemberSubject(erased.ID)); err != nil {
		t.Fatal(err)
	}
	if ids := offers(); slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Errorf("after erasure matching finds %v; want %s alone", ids, kept.ID)
	}
	waitForIdleQueues(t, me.env)
	if ids := indexed(); slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Errorf("after erasure the index holds %v; want %s, not %s", ids, kept.ID, gone.ID)
	}
}

// TestExportBuiltByAJob asks for a member's export, lets the job build it,
// and fetches it from the link.
func TestExportBuiltByAJob(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	m, _ := me.member(t, "Exported Printers", "LS9 8AB")
	secret, req, err := me.service.RequestExport(me.staff, marketplace.MemberSubject(m.ID))
	if err != nil {
		t.Fatal(err)
	}
	if req.Status != marketplace.ExportPending {
		t.Fatalf("a new request: %+v", req)
	}
	waitForIdleQueues(t, me.env)
	got, err := me.service.FetchExport(me.staff, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != marketplace.ExportReady || !strings.Contains(string(got.Body), "Exported Printers") {
		t.Errorf("after the job: %s, %.300s", got.Status, got.Body)
	}
}
