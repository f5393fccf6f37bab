package emailtest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Handler serves the captured mail:
//
//	GET    /messages          every message as a JSON array, oldest first
//	GET    /messages?to=ADDR  only messages with ADDR among the envelope recipients
//	DELETE /messages          forget every message (204)
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /messages", s.listMessages)
	mux.HandleFunc("DELETE /messages", func(w http.ResponseWriter, _ *http.Request) {
		s.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	msgs := s.Messages()
	if to := r.URL.Query().Get("to"); to != "" {
		kept := msgs[:0]
		for _, m := range msgs {
			if hasRecipient(m, to) {
				kept = append(kept, m)
			}
		}
		msgs = kept
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(msgs) // a failed write means the client went away
}

// hasRecipient compares addresses case-insensitively, as mail systems treat
// them in practice.
func hasRecipient(m Message, addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}
