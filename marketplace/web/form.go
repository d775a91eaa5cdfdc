package web

import "strings"

// fieldHead is what the "field-head" partial shows above a form field's
// input: its label, its hint and its error.
type fieldHead struct {
	P           *Page
	V           fieldView
	Label, Hint string
}

// Field returns what a form field shows: its value, its error and the
// ids that tie them together.
func (p *Page) Field(name string) fieldView {
	f := fieldView{Name: name, ID: "f-" + strings.ReplaceAll(name, "_", "-"), Value: p.Form.Values[name]}
	f.ErrorID, f.HintID = f.ID+"-error", f.ID+"-hint"
	if e, ok := p.Form.errors[name]; ok {
		f.Error = p.T(e.key, e.args...)
	}
	return f
}

// Checked reports whether a checkbox of the form is ticked.
func (p *Page) Checked(name, value string) bool {
	for _, v := range p.Form.Multi[name] {
		if v == value {
			return true
		}
	}
	return p.Form.Values[name] == value && value != ""
}

// Errors returns the form's errors in the order of the form, for the
// summary at the top of the page.
func (p *Page) Errors() []summaryError {
	var out []summaryError
	for _, name := range p.Form.order {
		f := p.Field(name)
		msg := f.Error
		if label, ok := p.Form.Labels[name]; ok {
			msg = p.T("form.summary_item", "Field", p.T(label), "Message", f.Error)
		}
		out = append(out, summaryError{Href: "#" + f.ID, Message: msg})
	}
	return out
}

type summaryError struct {
	Href, Message string
}

// fieldView is a form field as a template shows it.
type fieldView struct {
	Name, ID, Value string
	Error           string
	ErrorID, HintID string
}

// DescribedBy returns the ids of the hint (when the field has one) and
// the error (when it has one), for aria-describedby.
func (f fieldView) DescribedBy(hint bool) string {
	var ids []string
	if hint {
		ids = append(ids, f.HintID)
	}
	if f.Error != "" {
		ids = append(ids, f.ErrorID)
	}
	return strings.Join(ids, " ")
}

// Form is what a person typed into a form and what is wrong with it.
type Form struct {
	Values map[string]string
	Multi  map[string][]string
	// Problem is a message about the whole form (its catalogue key).
	Problem string
	// Labels are the catalogue keys of the fields' labels, which the
	// summary of errors names.
	Labels map[string]string
	errors map[string]formError
	order  []string
	used   bool
}

type formError struct {
	key  string
	args []any
}

func newForm() *Form {
	return &Form{Values: map[string]string{}, Multi: map[string][]string{}, errors: map[string]formError{}}
}

// add records an error of a field (the first one of each field is kept).
func (f *Form) add(field, key string, args ...any) {
	if _, ok := f.errors[field]; ok {
		return
	}
	f.errors[field] = formError{key: key, args: args}
	f.order = append(f.order, field)
}

// ok reports whether no error was found.
func (f *Form) ok() bool { return len(f.order) == 0 && f.Problem == "" }

// HasErrors reports whether the summary of errors is shown.
func (f *Form) HasErrors() bool { return len(f.order) > 0 }

// sortErrors puts the errors in the order of the fields on the page.
func (f *Form) sortErrors(fields []string) {
	rank := map[string]int{}
	for i, name := range fields {
		rank[name] = i + 1
	}
	var ordered, rest []string
	for _, name := range fields {
		if _, ok := f.errors[name]; ok {
			ordered = append(ordered, name)
		}
	}
	for _, name := range f.order {
		if rank[name] == 0 {
			rest = append(rest, name)
		}
	}
	f.order = append(ordered, rest...)
}
