package shipstationtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Webhook events of the v1 API.
const (
	EventOrderNotify         = "ORDER_NOTIFY"
	EventItemOrderNotify     = "ITEM_ORDER_NOTIFY"
	EventShipNotify          = "SHIP_NOTIFY"
	EventItemShipNotify      = "ITEM_SHIP_NOTIFY"
	EventFulfillmentShipped  = "FULFILLMENT_SHIPPED"
	EventFulfillmentRejected = "FULFILLMENT_REJECTED"
)

var knownEvents = map[string]bool{
	EventOrderNotify: true, EventItemOrderNotify: true, EventShipNotify: true,
	EventItemShipNotify: true, EventFulfillmentShipped: true, EventFulfillmentRejected: true,
}

// sellerID is the account id shown on webhook subscriptions.
const sellerID = 245512

// Subscribe adds a webhook subscription, as POST /webhooks/subscribe does.
// storeID nil means every store.
func (s *Server) Subscribe(targetURL, event string, storeID *int64, name string) (int64, error) {
	if !knownEvents[event] {
		return 0, fmt.Errorf("event %q is not a webhook event", event)
	}
	if u, err := url.Parse(targetURL); err != nil || u.Scheme == "" || u.Host == "" {
		return 0, fmt.Errorf("target_url %q is not an absolute URL", targetURL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if storeID != nil && s.storeByID(*storeID) == nil {
		return 0, fmt.Errorf("store %d was not found", *storeID)
	}
	wh := &Webhook{
		WebHookID: next(&s.seq.webhook), SellerID: sellerID, StoreID: storeID,
		HookType: event, MessageFormat: "Json", URL: targetURL, Name: name,
		Active: true, WebhookLogs: []any{},
	}
	s.webhooks = append(s.webhooks, wh)
	return wh.WebHookID, nil
}

func (s *Server) subscribeWebhook(w http.ResponseWriter, r *http.Request, _ []string) {
	var body struct {
		TargetURL    string `json:"target_url"`
		Event        string `json:"event"`
		StoreID      *int64 `json:"store_id"`
		FriendlyName string `json:"friendly_name"`
	}
	if !decodeAction(w, r, "subscribeModel", &body) {
		return
	}
	id, err := s.Subscribe(body.TargetURL, body.Event, body.StoreID, body.FriendlyName)
	if err != nil {
		v1Message(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"id": id})
}

func (s *Server) listWebhooks(w http.ResponseWriter, _ *http.Request, _ []string) {
	s.mu.Lock()
	out := make([]Webhook, len(s.webhooks))
	for i, wh := range s.webhooks {
		out[i] = *wh
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string][]Webhook{"webhooks": out})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, p []string) {
	id, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		v1NotFoundRoute(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, wh := range s.webhooks {
		if wh.WebHookID == id {
			s.webhooks = append(s.webhooks[:i:i], s.webhooks[i+1:]...)
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	v1Message(w, http.StatusNotFound, fmt.Sprintf("Webhook %d was not found.", id))
}

// fireOrdersLocked sends ORDER_NOTIFY and ITEM_ORDER_NOTIFY for orders
// imported together: one payload per subscription, whose resource_url
// lists exactly the subscribed store's share of them.
func (s *Server) fireOrdersLocked(orders []*Order) {
	for _, wh := range s.webhooks {
		if !wh.Active || (wh.HookType != EventOrderNotify && wh.HookType != EventItemOrderNotify) {
			continue
		}
		var ids []int64
		for _, o := range orders {
			if wh.StoreID == nil || *wh.StoreID == deref64(o.AdvancedOptions.StoreID) {
				ids = append(ids, o.OrderID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		batch := s.uuidLocked()
		s.importBatches[batch] = ids
		s.sendLocked(wh, s.resourceBase()+"/orders?importBatch="+batch)
	}
}

// fireShipmentsLocked sends SHIP_NOTIFY (resource_url without items) and
// ITEM_SHIP_NOTIFY (with items) for labels created together.
func (s *Server) fireShipmentsLocked(shipments []*Shipment) {
	for _, wh := range s.webhooks {
		withItems := wh.HookType == EventItemShipNotify
		if !wh.Active || (wh.HookType != EventShipNotify && !withItems) {
			continue
		}
		var ids []int64
		for _, sh := range shipments {
			if wh.StoreID == nil || *wh.StoreID == s.shipmentStoreLocked(sh) {
				ids = append(ids, sh.ShipmentID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		batch := next(&s.seq.shipBatch)
		s.shipBatches[batch] = ids
		flag := "False"
		if withItems {
			flag = "True"
		}
		s.sendLocked(wh, fmt.Sprintf("%s/shipments?batchId=%d&includeShipmentItems=%s", s.resourceBase(), batch, flag))
	}
}

// sendLocked queues the thin payload, applying the webhook faults.
func (s *Server) sendLocked(wh *Webhook, resourceURL string) {
	body, _ := json.Marshal(map[string]string{"resource_url": resourceURL, "resource_type": wh.HookType})
	del := Delivery{WebhookID: wh.WebHookID, Event: wh.HookType, TargetURL: wh.URL, ResourceURL: resourceURL, Body: body}
	drop, copies := s.faults.Webhook()
	if drop {
		del.Dropped = true
		del.At = s.now()
		s.hooks.enqueue(del)
		return
	}
	for i := range copies {
		del.Duplicate = i > 0
		s.hooks.enqueue(del)
	}
}
