package bigcommercetest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

func (s *Server) getStore(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	loc, err := time.LoadLocation(s.opts.Timezone)
	if err != nil {
		loc = time.UTC
	}
	_, offset := now.In(loc).Zone()
	_, janOffset := time.Date(now.Year(), 1, 1, 12, 0, 0, 0, loc).Zone()
	_, julOffset := time.Date(now.Year(), 7, 1, 12, 0, 0, 0, loc).Zone()
	raw := min(janOffset, julOffset)
	storeID, _ := strconv.Atoi(s.opts.StoreID)
	host := r.Host
	fakekit.WriteJSON(w, http.StatusOK, map[string]any{
		"id": s.opts.StoreHash, "account_uuid": "00000000-0000-4000-8000-" + fmt.Sprintf("%012d", storeID),
		"domain": host, "secure_url": "http://" + host, "control_panel_base_url": "http://" + host,
		"status": "live", "name": "Sandbox Store", "first_name": "Sam", "last_name": "Merchant",
		"address": "1 Warehouse Way\nAustin, Texas 78701\nUnited States", "country": "United States", "country_code": "US",
		"phone": "5125550100", "admin_email": "ops@example.com", "order_email": "orders@example.com",
		"favicon_url": "", "timezone": map[string]any{
			"name": loc.String(), "raw_offset": raw, "dst_offset": offset, "dst_correction": offset != raw,
			"date_format": map[string]string{"display": "jS M Y", "export": "M jS Y", "extended_display": "M jS Y @ g:i A"},
		},
		"language": "en", "currency": "USD", "currency_symbol": "$", "decimal_separator": ".", "thousands_separator": ",",
		"decimal_places": 2, "currency_symbol_location": "left",
		"weight_units": s.opts.WeightUnits, "dimension_units": s.opts.DimensionUnits,
		"dimension_decimal_places": "2", "dimension_decimal_token": ".", "dimension_thousands_token": ",",
		"plan_name": "Standard", "plan_level": "Standard", "plan_is_trial": false, "industry": "Apparel",
		"logo": []any{}, "is_price_entered_with_tax": false, "store_id": storeID,
		"default_channel_id": 1, "default_site_id": 1000, "active_comparison_modules": []any{},
		"features": map[string]any{"stencil_enabled": true, "sitewidehttps_enabled": true,
			"facebook_catalog_id": "", "checkout_type": "optimized", "wishlists_enabled": true,
			"graphql_storefront_api_enabled": true, "shopper_consent_tracking_enabled": false, "multi_storefront_enabled": true},
	})
}

func (s *Server) getTime(w http.ResponseWriter, r *http.Request) {
	fakekit.WriteJSON(w, http.StatusOK, map[string]int64{"time": s.clock.Now().Unix()})
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) {
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	q := r.URL.Query()
	statuses, hasStatus := queryStrings(q, "status:in")
	types, hasType := queryStrings(q, "type:in")
	platforms, hasPlatform := queryStrings(q, "platform:in")
	s.mu.Lock()
	var out []Channel
	for _, c := range s.st.channels {
		if (hasStatus && !statuses[c.Status]) || (hasType && !types[c.Type]) || (hasPlatform && !platforms[c.Platform]) {
			continue
		}
		out = append(out, *c)
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "cid")
	s.mu.Lock()
	c := s.st.channel(id)
	var out Channel
	if c != nil {
		out = *c
	}
	s.mu.Unlock()
	if c == nil {
		writeV3Error(w, http.StatusNotFound, fmt.Sprintf("Channel with id %s not found", r.PathValue("cid")), nil)
		return
	}
	writeV3(w, http.StatusOK, out)
}
