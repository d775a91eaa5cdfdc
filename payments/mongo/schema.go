package mongo

import "cooptrade/mongodb"

// Migrations are the changes of the dues' documents from one schema
// version to the next (mongodb.DB.Migrate applies them). The remembered
// Stripe object IDs are a cache and carry no version.
func Migrations() []mongodb.Migration {
	var ms []mongodb.Migration
	// Version 2 records the version in every document.
	for _, c := range []string{accountsCollection, applicationsCollection, eventsCollection} {
		ms = append(ms, mongodb.Migration{Version: 2, Collection: c, Summary: "record the schema version in each document"})
	}
	return ms
}
