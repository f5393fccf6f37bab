package shipstationtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// storeDetail is GET /stores/{id}: a store plus its status mappings.
type storeDetail struct {
	Store
	StatusMappings []statusMapping `json:"statusMappings"`
}

type statusMapping struct {
	OrderStatus string `json:"orderStatus"`
	StatusKey   string `json:"statusKey"`
}

func (s *Server) listWarehouses(w http.ResponseWriter, _ *http.Request, _ []string) {
	s.mu.Lock()
	out := make([]Warehouse, len(s.warehouses))
	for i, wh := range s.warehouses {
		out[i] = *wh
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getWarehouse(w http.ResponseWriter, r *http.Request, p []string) {
	id, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		v1NotFoundRoute(w, r)
		return
	}
	s.mu.Lock()
	wh := s.warehouseByID(id)
	var out Warehouse
	if wh != nil {
		out = *wh
	}
	s.mu.Unlock()
	if wh == nil {
		v1Message(w, http.StatusNotFound, fmt.Sprintf("Warehouse %d was not found.", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listStores(w http.ResponseWriter, r *http.Request, _ []string) {
	p := queryOf(r)
	showInactive, _, err := p.bool("showinactive")
	if err != nil {
		writeParamError(w, err)
		return
	}
	marketplace, hasMarketplace, err := p.int64("marketplaceid")
	if err != nil {
		writeParamError(w, err)
		return
	}
	s.mu.Lock()
	out := []Store{}
	for _, st := range s.stores {
		if (st.Active || showInactive) && (!hasMarketplace || st.MarketplaceID == marketplace) {
			out = append(out, *st)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getStore(w http.ResponseWriter, r *http.Request, p []string) {
	id, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		v1NotFoundRoute(w, r)
		return
	}
	s.mu.Lock()
	st := s.storeByID(id)
	var out storeDetail
	if st != nil {
		out.Store = *st
	}
	s.mu.Unlock()
	if st == nil {
		v1Message(w, http.StatusNotFound, fmt.Sprintf("Store %d was not found.", id))
		return
	}
	out.StatusMappings = []statusMapping{
		{StatusAwaitingPayment, "Pending"}, {StatusAwaitingShipment, "Awaiting Fulfillment"},
		{StatusShipped, "Shipped"}, {StatusCancelled, "Cancelled"}, {StatusOnHold, "Manual Verification Required"},
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listTags(w http.ResponseWriter, _ *http.Request, _ []string) {
	s.mu.Lock()
	out := make([]Tag, len(s.tags))
	for i, t := range s.tags {
		out[i] = *t
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listCarriers(w http.ResponseWriter, _ *http.Request, _ []string) {
	s.mu.Lock()
	out := make([]Carrier, len(s.carriers))
	for i, c := range s.carriers {
		out[i] = *c
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// carrierParam finds the carrier named by ?carrierCode=, answering 400/404.
func (s *Server) carrierParam(w http.ResponseWriter, r *http.Request) (Carrier, bool) {
	code := queryOf(r).get("carriercode")
	if code == "" {
		v1Invalid(w, "carrierCode", "The carrierCode field is required.")
		return Carrier{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.carriers {
		if strings.EqualFold(c.Code, code) {
			return *c, true
		}
	}
	v1Message(w, http.StatusNotFound, fmt.Sprintf("Carrier %s was not found.", code))
	return Carrier{}, false
}

func (s *Server) getCarrier(w http.ResponseWriter, r *http.Request, _ []string) {
	if c, ok := s.carrierParam(w, r); ok {
		writeJSON(w, http.StatusOK, c)
	}
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request, _ []string) {
	if c, ok := s.carrierParam(w, r); ok {
		writeJSON(w, http.StatusOK, nonNil(c.Services))
	}
}

func (s *Server) listPackages(w http.ResponseWriter, r *http.Request, _ []string) {
	if c, ok := s.carrierParam(w, r); ok {
		writeJSON(w, http.StatusOK, nonNil(c.Packages))
	}
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
