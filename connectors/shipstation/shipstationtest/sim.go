package shipstationtest

import (
	"net/http"
	"strconv"
	"strings"
)

// simRouter serves the simulation verbs: what people do in the ShipStation
// UI, plus the shared fault and clock controls. They need no credentials
// and do not count against any quota.
func (s *Server) simRouter() *router {
	rt := &router{
		notFound: func(w http.ResponseWriter, _ *http.Request) {
			simError(w, http.StatusNotFound, "no such simulation verb")
		},
		badMethod: func(w http.ResponseWriter, _ *http.Request) {
			simError(w, http.StatusMethodNotAllowed, "method not allowed")
		},
	}
	post := http.MethodPost
	rt.handle(post, "/_sim/orders/{}/ship", s.simShip)
	rt.handle(post, "/_sim/orders/{}/return-received", s.simReturn)
	rt.handle(post, "/_sim/orders/{}/hold", s.simHold)
	rt.handle(post, "/_sim/orders/{}/cancel", s.simCancel)
	rt.handle(post, "/_sim/orders/{}/tag", s.simTag)
	rt.handle(post, "/_sim/tags", s.simAddTag)
	rt.handle(post, "/_sim/shipments/{}/void", s.simVoid)
	rt.handle(post, "/_sim/inventory", s.simInventory)
	rt.handle(post, "/_sim/v2/labels/{}/track", s.simTrackV2)
	faults := func(w http.ResponseWriter, r *http.Request, _ []string) { s.faults.ServeFaults(w, r) }
	clock := func(w http.ResponseWriter, r *http.Request, _ []string) { s.clock.ServeClock(w, r) }
	for _, m := range []string{http.MethodGet, post} {
		rt.handle(m, "/_sim/faults", faults)
		rt.handle(m, "/_sim/clock", clock)
	}
	return rt
}

func simError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// simID parses a numeric path id.
func simID(w http.ResponseWriter, raw string) (int64, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		simError(w, http.StatusNotFound, "not a numeric id: "+raw)
		return 0, false
	}
	return id, true
}

// simBody decodes an optional JSON body.
func simBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeJSON(r, v); err != nil {
		simError(w, http.StatusBadRequest, "body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) simShip(w http.ResponseWriter, r *http.Request, p []string) {
	id, ok := simID(w, p[0])
	var req ShipRequest
	if !ok || !simBody(w, r, &req) {
		return
	}
	sh, err := s.Ship(id, req)
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, sh)
}

func (s *Server) simReturn(w http.ResponseWriter, r *http.Request, p []string) {
	id, ok := simID(w, p[0])
	var req struct {
		Items []ShipItem `json:"items"`
	}
	if !ok || !simBody(w, r, &req) {
		return
	}
	sh, err := s.ReceiveReturn(id, req.Items)
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, sh)
}

func (s *Server) simVoid(w http.ResponseWriter, _ *http.Request, p []string) {
	id, ok := simID(w, p[0])
	if !ok {
		return
	}
	sh, err := s.VoidShipment(id)
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, sh)
}

func (s *Server) simHold(w http.ResponseWriter, r *http.Request, p []string) {
	id, ok := simID(w, p[0])
	var req struct {
		Until *Date `json:"until"`
	}
	if !ok || !simBody(w, r, &req) {
		return
	}
	if req.Until == nil {
		simError(w, http.StatusBadRequest, "until is required")
		return
	}
	if err := s.Hold(id, req.Until.Time); err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.writeSimOrder(w, id)
}

func (s *Server) simCancel(w http.ResponseWriter, _ *http.Request, p []string) {
	id, ok := simID(w, p[0])
	if !ok {
		return
	}
	if err := s.Cancel(id); err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.writeSimOrder(w, id)
}

// simTag adds a tag by name ({"tag": "Backorder"}), as a person does in
// the UI.
func (s *Server) simTag(w http.ResponseWriter, r *http.Request, p []string) {
	id, ok := simID(w, p[0])
	var req struct {
		Tag string `json:"tag"`
	}
	if !ok || !simBody(w, r, &req) {
		return
	}
	if err := s.TagOrder(id, req.Tag); err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.writeSimOrder(w, id)
}

// simAddTag creates an order tag, as a person does in the ShipStation UI
// (the API cannot): body {"name": "Gift", "color": "#FF66CC"}. A name the
// account already has is refused.
func (s *Server) simAddTag(w http.ResponseWriter, r *http.Request, _ []string) {
	var req struct {
		Name  string `json:"name"`
		Color string `json:"color"`
	}
	if !simBody(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		simError(w, http.StatusBadRequest, "the tag needs a name")
		return
	}
	s.mu.Lock()
	for _, t := range s.tags {
		if strings.EqualFold(t.Name, req.Name) {
			s.mu.Unlock()
			simError(w, http.StatusBadRequest, "the account already has a tag named "+t.Name)
			return
		}
	}
	t := *s.addTagLocked(req.Name, req.Color)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) writeSimOrder(w http.ResponseWriter, id int64) {
	o, _ := s.Order(id)
	writeJSON(w, http.StatusOK, o)
}

// simInventory sets a SKU's on-hand units ("on_hand", or "available" as
// older scripts say) and, optionally, the units allocated to orders the
// fake does not hold ("allocated").
func (s *Server) simInventory(w http.ResponseWriter, r *http.Request, _ []string) {
	var req struct {
		SKU        string `json:"sku"`
		OnHand     *int   `json:"on_hand"`
		Available  *int   `json:"available"`
		Allocated  *int   `json:"allocated"`
		LocationID string `json:"inventory_location_id"`
	}
	if !simBody(w, r, &req) {
		return
	}
	if req.OnHand == nil {
		req.OnHand = req.Available
	}
	if req.SKU == "" || req.OnHand == nil || *req.OnHand < 0 || (req.Allocated != nil && *req.Allocated < 0) {
		simError(w, http.StatusBadRequest, "sku and a non-negative on_hand are required; allocated may not be negative")
		return
	}
	if err := s.SetStockAt(req.SKU, req.LocationID, *req.OnHand); err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Allocated != nil {
		if err := s.SetAllocatedAt(req.SKU, req.LocationID, *req.Allocated); err != nil {
			simError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku": req.SKU, "on_hand": s.Stock(req.SKU)})
}
