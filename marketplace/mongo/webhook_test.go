package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

func TestWebhookTargetStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewWebhookTargetStore(db, []byte("the service's secret"))
	secret, err := marketplace.NewWebhookSecret()
	if err != nil {
		t.Fatal(err)
	}
	target := &marketplace.WebhookTarget{MemberID: "6650b3a8c1a9e43d2f0a1b01", URL: "https://hooks.example.coop/marketplace",
		Types: []string{marketplace.NotifyMatchNew}, Secret: secret, Created: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	if err := store.SaveWebhookTarget(ctx, target); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := store.FindWebhookTarget(ctx, target.MemberID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(target, got); diff != "" {
			t.Fatalf("found (-want +got):\n%s", diff)
		}
	})

	t.Run("SealedAtRest", func(t *testing.T) {
		var raw bson.M
		if err := db.Database.Collection("webhook_targets").FindOne(ctx, bson.M{"_id": target.MemberID}).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		stored, _ := raw["secret"].(string)
		if stored == "" || strings.Contains(stored, secret) || strings.Contains(stored, strings.TrimPrefix(secret, marketplace.WebhookSecretPrefix)) {
			t.Fatalf("the secret is stored as %q; want it sealed", stored)
		}
		// Another service secret cannot open it.
		other := mongo.NewWebhookTargetStore(db, []byte("another secret"))
		if _, err := other.FindWebhookTarget(ctx, target.MemberID); err == nil {
			t.Fatal("a store with another key opened the secret")
		}
		// Nor can a sealed secret be moved to another member.
		if _, err := db.Database.Collection("webhook_targets").InsertOne(ctx, bson.M{"_id": "6650b3a8c1a9e43d2f0a1b02",
			"url": target.URL, "types": bson.A{}, "secret": stored, "createdAt": target.Created}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.FindWebhookTarget(ctx, "6650b3a8c1a9e43d2f0a1b02"); err == nil {
			t.Fatal("a secret sealed for one member opened for another")
		}
	})

	t.Run("Replace", func(t *testing.T) {
		next := *target
		next.URL, next.Types = "https://hooks.example.coop/v2", []string{}
		if err := store.SaveWebhookTarget(ctx, &next); err != nil {
			t.Fatal(err)
		}
		got, err := store.FindWebhookTarget(ctx, target.MemberID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&next, got); diff != "" {
			t.Fatalf("after replacing (-want +got):\n%s", diff)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if err := store.DeleteWebhookTarget(ctx, target.MemberID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.FindWebhookTarget(ctx, target.MemberID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("after deleting: %v; want not found", err)
		}
		if err := store.DeleteWebhookTarget(ctx, target.MemberID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("deleting again: %v; want not found", err)
		}
	})

	t.Run("ErrNoSecret", func(t *testing.T) {
		keyless := mongo.NewWebhookTargetStore(db, nil)
		if err := keyless.SaveWebhookTarget(ctx, target); marketplace.ErrorCode(err) != marketplace.EUNAVAILABLE {
			t.Fatalf("saving without a service secret: %v; want unavailable", err)
		}
	})
}
