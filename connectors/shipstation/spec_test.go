package shipstation

import (
	"testing"

	"github.com/toteworks/tote/connectors"
)

func TestSpecIsValid(t *testing.T) {
	r, err := connectors.NewRegistry(New)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Spec("shipstation")
	for _, a := range s.Actions {
		if a.Doc == "" {
			t.Errorf("action %s has no doc", a.Name)
		}
	}
	for _, name := range []string{"api_key", "api_secret", "v2_api_key", "webhook_token"} {
		if a, ok := s.Config.Attr(name); !ok || !a.Sensitive {
			t.Errorf("config %s must exist and be sensitive", name)
		}
	}
}
