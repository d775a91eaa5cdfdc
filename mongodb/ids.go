package mongodb

import (
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
)

// NewID returns a fresh ID in the form the stores give documents, for
// callers that need a document's ID before they store it. IDs made later
// sort after it.
func NewID() string {
	return primitive.NewObjectID().Hex()
}

// ObjectID parses a domain ID. A malformed ID cannot name a stored
// document, so it is reported as not found.
func ObjectID(id, what string) (primitive.ObjectID, error) {
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return primitive.NilObjectID, NotFound(what)
	}
	return oid, nil
}

// ObjectIDs parses the IDs that are ObjectIDs and leaves out the rest,
// which cannot name a stored document.
func ObjectIDs(ids []string) []primitive.ObjectID {
	oids := make([]primitive.ObjectID, 0, len(ids))
	for _, id := range ids {
		if oid, err := primitive.ObjectIDFromHex(id); err == nil {
			oids = append(oids, oid)
		}
	}
	return oids
}

// ParseCursor reads the cursor of a page that is the ID of the last item
// of the page before.
func ParseCursor(cursor string) (primitive.ObjectID, error) {
	oid, err := primitive.ObjectIDFromHex(cursor)
	if err != nil {
		return primitive.NilObjectID, BadCursor()
	}
	return oid, nil
}

// BadCursor is the error of a cursor this service did not give out.
func BadCursor() error {
	return marketplace.Invalid(marketplace.Broken("cursor", marketplace.RuleCursor, marketplace.RuleParams{}))
}
