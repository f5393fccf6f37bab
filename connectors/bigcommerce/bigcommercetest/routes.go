package bigcommercetest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// routes builds the whole handler: simulation verbs, then auth, rate limit
// and the API, all behind the fault injector.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	s.registerAPI(func(pattern string, h http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		api.HandleFunc(method+" /stores/{hash}"+path, h)
	})
	api.HandleFunc("/stores/{hash}/", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/v3/") {
			writeV3Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
			return
		}
		writeV2NotFound(w)
	})

	root := http.NewServeMux()
	s.registerSim(root)
	root.Handle("/stores/", s.gate(api))

	faulted := s.faults.Wrap(root, fakekit.Responders{
		ServerError: func(w http.ResponseWriter) {
			writeV3Error(w, http.StatusInternalServerError, "Internal Server Error", nil)
		},
		TooMany: func(w http.ResponseWriter) {
			writeV3Error(w, http.StatusTooManyRequests, "Too many requests", nil)
		},
	})
	var reqID atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hung requests end when the server closes, not only when the client gives up.
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(s.closing, cancel)
		defer stop()
		w.Header().Set("X-Request-Id", strconv.FormatInt(reqID.Add(1), 10))
		faulted.ServeHTTP(w, r.WithContext(ctx))
	})
}

// gate checks the store hash and token, then charges the rate limit.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/stores/")
		hash, _, _ := strings.Cut(rest, "/")
		if hash != s.opts.StoreHash || r.Header.Get("X-Auth-Token") != s.opts.AccessToken {
			// The gateway answers auth failures in v3 form on v2 paths too (inferred).
			writeV3Error(w, http.StatusUnauthorized, "No valid credentials were found in this request", nil)
			return
		}
		s.calls.Add(1)
		_, after, _ := strings.Cut(rest, "/")
		s.requests.Count(r.Method, "/"+after)
		st := s.limiter.take(s.clock.Now())
		h := w.Header()
		h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(st.windowMs, 10))
		h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(st.resetMs, 10))
		h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(st.quota))
		h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(st.left))
		if !st.ok {
			s.tooMany.Add(1)
			h.Set("X-Retry-After", strconv.FormatInt((st.resetMs+999)/1000, 10))
			writeV3Error(w, http.StatusTooManyRequests, "Too many requests", nil)
			return
		}
		if !s.opts.AllowTrailingSlash && strings.HasSuffix(r.URL.Path, "/") {
			writeV3Error(w, http.StatusForbidden, "Authentication Required", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LoseAnswers makes the next n successful writes (any method but GET) take
// effect and then lose their answer: the connection closes before the
// response is sent, as when a network drops after the vendor committed.
func (s *Server) LoseAnswers(n int) { s.faults.LoseAnswers(n) }

// registerAPI lists every API endpoint the fake serves.
func (s *Server) registerAPI(handle func(string, http.HandlerFunc)) {
	// Orders v2.
	handle("GET /v2/orders", s.listOrders)
	handle("POST /v2/orders", s.createOrder)
	handle("GET /v2/orders/count", s.countOrders)
	handle("GET /v2/orders/{id}", s.getOrder)
	handle("PUT /v2/orders/{id}", s.updateOrder)
	handle("DELETE /v2/orders/{id}", s.archiveOrder)
	handle("GET /v2/orders/{id}/products", s.listOrderProducts)
	handle("GET /v2/orders/{id}/products/{line}", s.getOrderProduct)
	for _, p := range []string{"shipping_addresses", "shippingaddresses"} {
		handle("GET /v2/orders/{id}/"+p, s.listShippingAddresses)
		handle("GET /v2/orders/{id}/"+p+"/{addr}", s.getShippingAddress)
		handle("PUT /v2/orders/{id}/"+p+"/{addr}", s.updateShippingAddress)
	}
	handle("GET /v2/orders/{id}/coupons", s.emptyV2List)
	handle("GET /v2/order_statuses", s.listOrderStatuses)
	handle("GET /v2/order_statuses/{status}", s.getOrderStatus)

	// Shipments v2.
	handle("GET /v2/orders/{id}/shipments", s.listShipments)
	handle("POST /v2/orders/{id}/shipments", s.createShipment)
	handle("DELETE /v2/orders/{id}/shipments", s.deleteAllShipments)
	handle("GET /v2/orders/{id}/shipments/count", s.countShipments)
	handle("GET /v2/orders/{id}/shipments/{sid}", s.getShipment)
	handle("PUT /v2/orders/{id}/shipments/{sid}", s.updateShipment)
	handle("DELETE /v2/orders/{id}/shipments/{sid}", s.deleteShipment)

	// Store information.
	handle("GET /v2/store", s.getStore)
	handle("GET /v2/time", s.getTime)

	// Order metafields v3.
	handle("GET /v3/orders/{id}/metafields", s.listMetafields)
	handle("POST /v3/orders/{id}/metafields", s.createMetafield)
	handle("GET /v3/orders/{id}/metafields/{mid}", s.getMetafield)
	handle("PUT /v3/orders/{id}/metafields/{mid}", s.updateMetafield)
	handle("DELETE /v3/orders/{id}/metafields/{mid}", s.deleteMetafield)

	// Refunds v3.
	handle("POST /v3/orders/{id}/payment_actions/refund_quotes", s.createRefundQuote)
	handle("POST /v3/orders/{id}/payment_actions/refunds", s.createRefund)
	handle("GET /v3/orders/{id}/payment_actions/refunds", s.listOrderRefunds)
	handle("GET /v3/orders/payment_actions/refunds", s.listAllRefunds)
	handle("GET /v3/orders/payment_actions/refunds/{rid}", s.getRefund)

	// Catalog v3.
	handle("GET /v3/catalog/products", s.listProducts)
	handle("PUT /v3/catalog/products", s.batchUpdateProducts)
	handle("GET /v3/catalog/products/{pid}", s.getProduct)
	handle("PUT /v3/catalog/products/{pid}", s.updateProduct)
	handle("GET /v3/catalog/products/{pid}/options", s.listProductOptions)
	handle("GET /v3/catalog/products/{pid}/variants", s.listProductVariants)
	handle("GET /v3/catalog/products/{pid}/variants/{vid}", s.getProductVariant)
	handle("PUT /v3/catalog/products/{pid}/variants/{vid}", s.updateProductVariant)
	handle("GET /v3/catalog/variants", s.listVariants)
	handle("PUT /v3/catalog/variants", s.batchUpdateVariants)

	// Inventory and locations v3.
	handle("PUT /v3/inventory/adjustments/absolute", s.adjustAbsolute)
	handle("POST /v3/inventory/adjustments/relative", s.adjustRelative)
	handle("GET /v3/inventory/items", s.listInventoryItems)
	handle("GET /v3/inventory/locations", s.listLocations)
	handle("GET /v3/inventory/locations/{lid}/items", s.listLocationItems)
	handle("PUT /v3/inventory/locations/{lid}/items", s.updateLocationItems)

	// Hooks and channels v3.
	handle("GET /v3/hooks", s.listHooks)
	handle("POST /v3/hooks", s.createHook)
	handle("GET /v3/hooks/{hid}", s.getHook)
	handle("PUT /v3/hooks/{hid}", s.updateHook)
	handle("DELETE /v3/hooks/{hid}", s.deleteHook)
	handle("GET /v3/channels", s.listChannels)
	handle("GET /v3/channels/{cid}", s.getChannel)
}

func (s *Server) emptyV2List(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

// linkBase is the absolute API base the v2 resource links point at.
func (s *Server) linkBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/stores/%s/v2", scheme, r.Host, s.opts.StoreHash)
}
