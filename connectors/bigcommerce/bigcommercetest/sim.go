package bigcommercetest

import (
	"encoding/json"
	"net/http"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// registerSim adds the simulation verbs: what shoppers and merchants do in
// the storefront and control panel. They need no token and use no quota.
func (s *Server) registerSim(mux *http.ServeMux) {
	mux.HandleFunc("/_sim/faults", s.faults.ServeFaults)
	mux.HandleFunc("/_sim/clock", s.clock.ServeClock)
	mux.HandleFunc("POST /_sim/orders", s.simPlaceOrder)
	mux.HandleFunc("POST /_sim/orders/seed", s.simSeedOrders)
	mux.HandleFunc("POST /_sim/orders/{id}/status", s.simSetStatus)
	mux.HandleFunc("POST /_sim/orders/{id}/downloads-as-object", s.simDownloadsAsObject)
	mux.HandleFunc("/_sim/refund-declines", s.simRefundDeclines)
	mux.HandleFunc("/_sim/orders/{id}/refund-declines", s.simRefundDeclines)
	mux.HandleFunc("POST /_sim/products", s.simAddProduct)
	mux.HandleFunc("GET /_sim/deliveries", s.simDeliveries)
	mux.HandleFunc("/_sim/inventory-settings", s.simInventorySettings)
}

// simPlaceOrder places an order as a shopper at checkout: same body as
// POST /v2/orders, default status Awaiting Fulfillment, stock taken,
// store/order/created fired.
func (s *Server) simPlaceOrder(w http.ResponseWriter, r *http.Request) {
	var in OrderInput
	if err := decodeBody(r, &in); err != nil {
		badBodyV2(w, err)
		return
	}
	s.placeOrder(w, r, in, checkoutSource)
}

// simSetStatus changes an order's status as a merchant does in the control
// panel: body {"status_id": N}.
func (s *Server) simSetStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		StatusID *int `json:"status_id"`
	}
	if err := decodeBody(r, &body); err != nil || body.StatusID == nil {
		writeV2Invalid(w, "status_id", "Send {\"status_id\": N}.")
		return
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	events, err := s.applyOrderUpdateLocked(rec, map[string]json.RawMessage{"status_id": mustJSON(*body.StatusID)})
	if err != nil {
		s.mu.Unlock()
		writeV2Invalid(w, "status_id", err.Error())
		return
	}
	o := s.renderOrder(rec, s.linkBase(r), nil)
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusOK, o)
}

// simDownloadsAsObject makes an order's consignments give its downloads
// consignment as an object where a list is expected (SetDownloadsAsObject):
// body {"on": true|false}.
func (s *Server) simDownloadsAsObject(w http.ResponseWriter, r *http.Request) {
	var body struct {
		On *bool `json:"on"`
	}
	if err := decodeBody(r, &body); err != nil || body.On == nil {
		writeV2Invalid(w, "on", "Send {\"on\": true} or {\"on\": false}.")
		return
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec != nil {
		rec.downloadsAsObject = *body.On
	}
	s.mu.Unlock()
	if rec != nil {
		w.WriteHeader(http.StatusNoContent)
	}
}

// simAddProduct adds a product as a merchant does in the control panel
// (body: NewProduct as JSON) and fires store/product/created.
func (s *Server) simAddProduct(w http.ResponseWriter, r *http.Request) {
	var np NewProduct
	if err := decodeBody(r, &np); err != nil {
		badBodyV3(w, err)
		return
	}
	p, err := s.addProduct(np, true)
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, err.Error(), nil)
		return
	}
	writeV3(w, http.StatusOK, p)
}

// simDeliveries lists the webhook delivery attempts so far.
func (s *Server) simDeliveries(w http.ResponseWriter, r *http.Request) {
	type row struct {
		HookID    int             `json:"hook_id"`
		Scope     string          `json:"scope"`
		MessageID string          `json:"message_id"`
		Attempt   int             `json:"attempt"`
		Dropped   bool            `json:"dropped"`
		Duplicate bool            `json:"duplicate"`
		Status    int             `json:"status"`
		Error     string          `json:"error,omitempty"`
		Payload   json.RawMessage `json:"payload"`
	}
	out := []row{}
	for _, d := range s.Deliveries() {
		out = append(out, row{d.HookID, d.Scope, d.MessageID, d.Attempt, d.Dropped, d.Duplicate, d.Status, d.Err, d.Body})
	}
	fakekit.WriteJSON(w, http.StatusOK, out)
}

// simInventorySettings reads (GET) or changes (POST) the store's setting
// for when orders take their stock, as a merchant does in the control
// panel: {"update_stock_behavior": "order_placed" |
// "order_completed_or_shipped" | "never"}.
func (s *Server) simInventorySettings(w http.ResponseWriter, r *http.Request) {
	type settings struct {
		UpdateStockBehavior StockUpdate `json:"update_stock_behavior"`
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var body settings
		if err := decodeBody(r, &body); err != nil {
			fakekit.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := s.SetStockUpdate(body.UpdateStockBehavior); err != nil {
			fakekit.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	fakekit.WriteJSON(w, http.StatusOK, settings{s.StockUpdate()})
}
