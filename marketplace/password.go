package marketplace

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// The password policy follows NIST SP 800-63B (5.1.1.2): at least
// MinPasswordLength characters, any characters but control characters, no
// composition rules, and no password that is on the lists of common and
// breached passwords, is a word, name, keyboard walk, sequence, repetition
// or date with little added, or is built on the person's own e-mail
// address or name. The lists and the estimate of how many guesses a
// password takes are zxcvbn's (its frequency lists of breached passwords,
// English words, names and surnames).
const (
	// MinPasswordLength is the shortest password accepted, in characters.
	MinPasswordLength = 12
	// MaxPasswordBytes bounds what is hashed.
	MaxPasswordBytes = 256
	// minPasswordGuesses is the least number of guesses a password must
	// be estimated to take: zxcvbn's score 3, "safely unguessable"
	// against online attack and slowed offline attack.
	minPasswordGuesses = 1e8
	// passwordEstimateRunes bounds the estimate's cost (it grows with the
	// square of the length); what follows adds to the strength anyway.
	passwordEstimateRunes = 100
)

// Rules a password can break, as FieldError.Rule.
const (
	PasswordTooShort  = "too_short"
	PasswordTooLong   = "too_long"
	PasswordControl   = RuleControl
	PasswordPersonal  = "personal"
	PasswordGuessable = "guessable"
)

// serviceWords are words anyone guessing at this service's accounts tries
// first.
var serviceWords = []string{"marketplace", "federation", "cooperative", "co-operative", "coop", "co-op", "cooptrade"}

// CheckPassword applies the password policy to a new password of the
// person with the e-mail address and name, and answers EINVALID naming
// field and the rule broken.
func CheckPassword(field, password, email, name string) error {
	broken := func(rule string, p RuleParams) error {
		return Invalid(Broken(field, rule, p))
	}
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return broken(PasswordTooShort, RuleParams{Min: MinPasswordLength})
	case len(password) > MaxPasswordBytes:
		return broken(PasswordTooLong, RuleParams{Max: MaxPasswordBytes})
	case !utf8.ValidString(password) || strings.IndexFunc(password, unicode.IsControl) >= 0:
		return broken(PasswordControl, RuleParams{})
	}
	lower := strings.ToLower(password)
	personal := personalWords(email, name)
	for _, w := range personal {
		if len(w) >= 4 && strings.Contains(lower, w) && utf8.RuneCountInString(w)*2 >= utf8.RuneCountInString(password) {
			return broken(PasswordPersonal, RuleParams{})
		}
	}
	estimated := password
	if utf8.RuneCountInString(estimated) > passwordEstimateRunes {
		estimated = string([]rune(estimated)[:passwordEstimateRunes])
	}
	if zxcvbn.PasswordStrength(estimated, append(personal, serviceWords...)).Guesses < minPasswordGuesses {
		return broken(PasswordGuessable, RuleParams{Hint: ": it is a common or breached password, or a word, name, date or pattern with little added; a few unrelated words make a strong one"})
	}
	return nil
}

// personalWords are the e-mail address, its parts and the words of the
// name, lower-cased: what a password must not be made of.
func personalWords(email, name string) []string {
	email = strings.ToLower(strings.TrimSpace(email))
	words := []string{}
	if email != "" {
		words = append(words, email)
		local, domain, _ := strings.Cut(email, "@")
		words = append(words, local)
		words = append(words, strings.FieldsFunc(local, notLetterOrDigit)...)
		words = append(words, strings.FieldsFunc(domain, notLetterOrDigit)...)
	}
	if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
		words = append(words, name, strings.Join(strings.Fields(name), ""))
		words = append(words, strings.FieldsFunc(name, notLetterOrDigit)...)
	}
	return words
}

func notLetterOrDigit(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
