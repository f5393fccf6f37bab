package shipstationtest

import "net/http"

// v1Router is the v1 API surface.
func (s *Server) v1Router() *router {
	rt := &router{notFound: v1NotFoundRoute, badMethod: v1BadMethod}
	get, post := http.MethodGet, http.MethodPost
	rt.handle(get, "/orders", s.listOrders)
	rt.handle(get, "/orders/listbytag", s.listByTag)
	rt.handle(post, "/orders/createorder", s.createOrder)
	rt.handle(post, "/orders/createorders", s.createOrders)
	rt.handle(post, "/orders/holduntil", s.holdUntil)
	rt.handle(post, "/orders/restorefromhold", s.restoreFromHold)
	rt.handle(post, "/orders/addtag", s.addTag)
	rt.handle(post, "/orders/removetag", s.removeTag)
	rt.handle(post, "/orders/markasshipped", s.markAsShipped)
	rt.handle(post, "/orders/createlabelfororder", s.createLabelForOrder)
	rt.handle(get, "/orders/{}", s.getOrder)
	rt.handle(http.MethodDelete, "/orders/{}", s.deleteOrder)
	rt.handle(get, "/shipments", s.listShipments)
	rt.handle(post, "/shipments/voidlabel", s.voidLabel)
	rt.handle(get, "/fulfillments", s.listFulfillments)
	rt.handle(get, "/products", s.listProducts)
	rt.handle(get, "/products/{}", s.getProduct)
	rt.handle(http.MethodPut, "/products/{}", s.putProduct)
	rt.handle(get, "/warehouses", s.listWarehouses)
	rt.handle(get, "/warehouses/{}", s.getWarehouse)
	rt.handle(get, "/stores", s.listStores)
	rt.handle(get, "/stores/{}", s.getStore)
	rt.handle(get, "/accounts/listtags", s.listTags)
	rt.handle(get, "/carriers", s.listCarriers)
	rt.handle(get, "/carriers/getcarrier", s.getCarrier)
	rt.handle(get, "/carriers/listservices", s.listServices)
	rt.handle(get, "/carriers/listpackages", s.listPackages)
	rt.handle(post, "/webhooks/subscribe", s.subscribeWebhook)
	rt.handle(get, "/webhooks", s.listWebhooks)
	rt.handle(http.MethodDelete, "/webhooks/{}", s.deleteWebhook)
	return rt
}
