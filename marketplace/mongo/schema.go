package mongo

import "cooptrade/mongodb"

// versionedCollections are the collections whose documents carry their
// schema version: the records of the marketplace. The lookups are derived
// from them (party_threads, party_deals and quote_keys too), and tokens,
// sessions, reset links, invitations, alert hits and changes and
// preferences are short-lived or rebuilt, so they carry none.
var versionedCollections = []string{
	membersCollection, usersCollection, listingsCollection, matchesCollection, auditCollection,
	notificationsCollection, alertsCollection, webhookTargetsCollection, joinApplicationsCollection,
	threadsCollection, dealsCollection, quotesCollection,
}

// Migrations are the changes of the marketplace's documents from one
// schema version to the next (mongodb.DB.Migrate applies them).
func Migrations() []mongodb.Migration {
	var ms []mongodb.Migration
	// Version 2 records the version in every document; their shape is
	// otherwise that of version 1.
	for _, c := range versionedCollections {
		ms = append(ms, mongodb.Migration{Version: 2, Collection: c, Summary: "record the schema version in each document"})
	}
	return ms
}
