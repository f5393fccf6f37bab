package bigcommercetest

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// RefundDecline is how the payment provider refuses refunds.
//
// By default a refusal looks the way the reference documents one: the
// refund is created (201) and listed, and its payment through the order's
// gateway carries is_declined true and declined_message. A declined refund
// changes nothing else: not the order's status, not the lines' refunded
// quantities, not what is left to refund; no webhook fires. Status, when
// set (e.g. 422), refuses the request instead, with the refund error form
// {"data":[{"status","title","type"}]} whose title is the message, and
// records nothing.
//
// Only payments through the order's gateway can be declined: an offline
// payment (custom) or store credit is never refused.
type RefundDecline struct {
	// Message is the provider's reason; default "The payment provider
	// declined the refund."
	Message string `json:"message,omitempty"`
	Status  int    `json:"status,omitempty"`
}

func (d RefundDecline) message() string {
	if d.Message == "" {
		return "The payment provider declined the refund."
	}
	return d.Message
}

// DeclineRefunds makes the payment provider refuse the refunds of an order,
// or of every order when orderID is 0, until AllowRefunds.
func (s *Server) DeclineRefunds(orderID int, d RefundDecline) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.declines == nil {
		s.declines = map[int]RefundDecline{}
	}
	s.declines[orderID] = d
}

// AllowRefunds ends DeclineRefunds for an order, or the rule for every
// order when orderID is 0 (rules for single orders stay).
func (s *Server) AllowRefunds(orderID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.declines, orderID)
}

// refundDeclineLocked says whether the provider refuses a refund paid so:
// a rule for the order, else for every order, applies when a payment goes
// through the gateway.
func (s *Server) refundDeclineLocked(rec *orderRec, payments []RefundPayment) (RefundDecline, bool) {
	d, ok := s.declines[rec.o.ID]
	if !ok {
		d, ok = s.declines[0]
	}
	if !ok {
		return RefundDecline{}, false
	}
	for _, p := range payments {
		if gatewayPayment(p) {
			return d, true
		}
	}
	return RefundDecline{}, false
}

// gatewayPayment reports whether a payment goes through a payment provider
// that can refuse it.
func gatewayPayment(p RefundPayment) bool {
	return !p.Offline && p.ProviderID != "custom" && p.ProviderID != "storecredit"
}

// simRefundDeclines serves /_sim/refund-declines (every order) and
// /_sim/orders/{id}/refund-declines (one order): POST a RefundDecline
// ({"message": ..., "status": ...}, both optional) to start refusing
// refunds, DELETE to stop, GET to see the rules.
func (s *Server) simRefundDeclines(w http.ResponseWriter, r *http.Request) {
	id := 0
	if raw := r.PathValue("id"); raw != "" {
		n, err := strconv.Atoi(raw)
		s.mu.Lock()
		rec := s.st.orders[n]
		s.mu.Unlock()
		if err != nil || rec == nil {
			writeV3Error(w, http.StatusNotFound, "Order with id "+raw+" not found", nil)
			return
		}
		id = n
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut:
		var d RefundDecline
		if err := decodeBody(r, &d); err != nil {
			badBodyV3(w, err)
			return
		}
		if d.Status != 0 && (d.Status < 400 || d.Status > 599) {
			writeV3Error(w, http.StatusUnprocessableEntity, "status must be an HTTP error status", nil)
			return
		}
		s.DeclineRefunds(id, d)
	case http.MethodDelete:
		s.AllowRefunds(id)
	case http.MethodGet:
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	type rule struct {
		OrderID int `json:"order_id"` // 0: every order
		RefundDecline
	}
	out := []rule{}
	s.mu.Lock()
	for oid, d := range s.declines {
		out = append(out, rule{oid, d})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].OrderID < out[j].OrderID })
	fakekit.WriteJSON(w, http.StatusOK, out)
}
