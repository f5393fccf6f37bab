package conformance

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// checkSpec: the registry accepts the Spec, Spec returns the same value
// every call, and the connector, its actions and its triggers are documented.
func (s *suite) checkSpec(context.Context) ([]string, string) {
	var problems []string
	if _, err := connectors.NewRegistry(func() connectors.Connector { return s.c }); err != nil {
		problems = append(problems, fmt.Sprintf("the registry rejects the spec: %v", err))
	}
	if diff := cmp.Diff(s.spec, s.c.Spec(), cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
		sameFunc[connectors.SubjectFunc](), sameFunc[func(cty.Value) string](), sameFunc[connectors.RouteFunc]()); diff != "" {
		problems = append(problems, fmt.Sprintf("Spec() is not stable (-first +second):\n%s", diff))
	}
	if strings.TrimSpace(s.spec.Doc) == "" {
		problems = append(problems, fmt.Sprintf("connector %q has no Doc", s.spec.Type))
	}
	for _, a := range s.spec.Actions {
		if strings.TrimSpace(a.Doc) == "" {
			problems = append(problems, fmt.Sprintf("action %s.%s has no Doc", s.spec.Type, a.Name))
		}
	}
	for _, t := range s.spec.Triggers {
		if strings.TrimSpace(t.Doc) == "" {
			problems = append(problems, fmt.Sprintf("trigger %s has no Doc", t.Kind))
		}
	}
	return problems, ""
}

// secretWords are name parts that say an attribute holds a credential.
var secretWords = map[string]bool{
	"token": true, "secret": true, "password": true, "passwd": true, "key": true,
	"apikey": true, "credential": true, "credentials": true,
}

// checkSecretsMarked: a config attribute whose name suggests a secret
// (api_key, client_secret, password...) is marked Sensitive, and the
// harness sets some sensitive value so the leak checks prove something.
func (s *suite) checkSecretsMarked(context.Context) ([]string, string) {
	var problems []string
	var sensitive []string
	for _, a := range s.spec.Config.Attrs {
		if a.Sensitive {
			sensitive = append(sensitive, a.Name)
			continue
		}
		for _, word := range strings.Split(strings.ToLower(a.Name), "_") {
			if secretWords[word] {
				problems = append(problems, fmt.Sprintf("config attribute %q looks like a secret but is not marked Sensitive", a.Name))
				break
			}
		}
	}
	if len(sensitive) > 0 && len(s.secrets) == 0 {
		problems = append(problems, fmt.Sprintf("the harness Config sets none of the sensitive attributes %v to a value of %d or more characters, so no leak can be detected",
			sensitive, minSecretLen))
	}
	return problems, ""
}

// sameFunc compares functions of type F by their code, as cmp cannot
// compare functions otherwise.
func sameFunc[F any]() cmp.Option {
	return cmp.Comparer(func(a, b F) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() })
}
