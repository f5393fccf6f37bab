package sandbox

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Email is a captured customer email, read the way the shipped pipelines'
// default templates word it.
type Email struct {
	// Kind is "return" for a refunded return; for an exception it says
	// what happened: "cancelled", "backorder", "delayed" (a hold or an
	// Exception tag) or "released"; "other" for anything else.
	Kind    string
	OrderID int
}

var subjectOrder = regexp.MustCompile(`order (\d+)`)

// Emails classifies the mail the SMTP capture server holds.
func Emails(f *Fakes) []Email {
	var out []Email
	for _, m := range f.Mail.Messages() {
		e := Email{Kind: "other"}
		if sm := subjectOrder.FindStringSubmatch(m.Subject); sm != nil {
			e.OrderID, _ = strconv.Atoi(sm[1])
		}
		switch {
		case strings.HasPrefix(m.Subject, "Your return for order"):
			e.Kind = "return"
		case !strings.HasPrefix(m.Subject, "An update on your order"):
		case strings.Contains(m.Text, "has been cancelled"):
			e.Kind = "cancelled"
		case strings.Contains(m.Text, "on backorder"):
			e.Kind = "backorder"
		case strings.Contains(m.Text, "is delayed"):
			e.Kind = "delayed"
		case strings.Contains(m.Text, "on its way"):
			e.Kind = "released"
		}
		out = append(out, e)
	}
	return out
}

// EmailSummary counts emails by kind, e.g. "3 backorder, 12 return".
func EmailSummary(mail []Email) string {
	n := map[string]int{}
	for _, e := range mail {
		n[e.Kind]++
	}
	kinds := make([]string, 0, len(n))
	for k := range n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, strconv.Itoa(n[k])+" "+k)
	}
	return strings.Join(parts, ", ")
}
