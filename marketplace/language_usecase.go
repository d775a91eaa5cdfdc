package marketplace

import "context"

// SetMyLanguage sets the language the signed-in user's mails are written
// in ("en" or "cy"). Choosing the language already set writes nothing.
func (s *Service) SetMyLanguage(ctx context.Context, lang string) (*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !IsLanguage(lang) {
		return nil, Invalid(Broken("language", RuleOneOf, RuleParams{Options: Languages}))
	}
	u, err := s.Users.FindUserByID(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	if u.Language == lang {
		return u, nil
	}
	changed, err := s.Users.UpdateUser(ctx, u.ID, u.Version, UserChange{Language: &lang})
	if err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "user.language", "user:"+u.ID, "", map[string]string{"language": lang})
	return changed, nil
}
