package bigcommercetest

// The v2 order models, written from the reference (section 4) and the
// orders.v2 OpenAPI file. Field names and JSON types follow the real API.

// Resource is a v2 link to a sub-resource.
type Resource struct {
	URL      string `json:"url"`
	Resource string `json:"resource"`
}

// FormField is a custom checkout form field on an address.
type FormField struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// AddressFields are the fields every v2 address has.
type AddressFields struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// Address is an order's billing address.
type Address struct {
	AddressFields
	FormFields []FormField `json:"form_fields"`
}

// Order is a v2 order.
type Order struct {
	ID                                      int         `json:"id"`
	CustomerID                              int         `json:"customer_id"`
	DateCreated                             Date2822    `json:"date_created"`
	DateModified                            Date2822    `json:"date_modified"`
	DateShipped                             Date2822    `json:"date_shipped"`
	StatusID                                int         `json:"status_id"`
	Status                                  string      `json:"status"`
	CustomStatus                            string      `json:"custom_status"`
	CartID                                  string      `json:"cart_id"`
	SubtotalExTax                           Money       `json:"subtotal_ex_tax"`
	SubtotalIncTax                          Money       `json:"subtotal_inc_tax"`
	SubtotalTax                             Money       `json:"subtotal_tax"`
	BaseShippingCost                        Money       `json:"base_shipping_cost"`
	ShippingCostExTax                       Money       `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax                      Money       `json:"shipping_cost_inc_tax"`
	ShippingCostTax                         Money       `json:"shipping_cost_tax"`
	ShippingCostTaxClassID                  int         `json:"shipping_cost_tax_class_id"`
	BaseHandlingCost                        Money       `json:"base_handling_cost"`
	HandlingCostExTax                       Money       `json:"handling_cost_ex_tax"`
	HandlingCostIncTax                      Money       `json:"handling_cost_inc_tax"`
	HandlingCostTax                         Money       `json:"handling_cost_tax"`
	HandlingCostTaxClassID                  int         `json:"handling_cost_tax_class_id"`
	BaseWrappingCost                        Money       `json:"base_wrapping_cost"`
	WrappingCostExTax                       Money       `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax                      Money       `json:"wrapping_cost_inc_tax"`
	WrappingCostTax                         Money       `json:"wrapping_cost_tax"`
	WrappingCostTaxClassID                  int         `json:"wrapping_cost_tax_class_id"`
	TotalExTax                              Money       `json:"total_ex_tax"`
	TotalIncTax                             Money       `json:"total_inc_tax"`
	TotalTax                                Money       `json:"total_tax"`
	IsTaxInclusivePricing                   bool        `json:"is_tax_inclusive_pricing"`
	ItemsTotal                              int         `json:"items_total"`
	ItemsShipped                            int         `json:"items_shipped"`
	PaymentMethod                           string      `json:"payment_method"`
	PaymentProviderID                       string      `json:"payment_provider_id"`
	PaymentStatus                           string      `json:"payment_status"`
	RefundedAmount                          Money       `json:"refunded_amount"`
	OrderIsDigital                          bool        `json:"order_is_digital"`
	StoreCreditAmount                       Money       `json:"store_credit_amount"`
	GiftCertificateAmount                   Money       `json:"gift_certificate_amount"`
	IPAddress                               string      `json:"ip_address"`
	IPAddressV6                             string      `json:"ip_address_v6"`
	GeoipCountry                            string      `json:"geoip_country"`
	GeoipCountryISO2                        string      `json:"geoip_country_iso2"`
	CurrencyID                              int         `json:"currency_id"`
	CurrencyCode                            string      `json:"currency_code"`
	CurrencyExchangeRate                    string      `json:"currency_exchange_rate"`
	DefaultCurrencyID                       int         `json:"default_currency_id"`
	DefaultCurrencyCode                     string      `json:"default_currency_code"`
	StoreDefaultCurrencyCode                string      `json:"store_default_currency_code"`
	StoreDefaultToTransactionalExchangeRate string      `json:"store_default_to_transactional_exchange_rate"`
	StaffNotes                              string      `json:"staff_notes"`
	CustomerMessage                         string      `json:"customer_message"`
	DiscountAmount                          Money       `json:"discount_amount"`
	CouponDiscount                          Money       `json:"coupon_discount"`
	ShippingAddressCount                    int         `json:"shipping_address_count"`
	IsDeleted                               bool        `json:"is_deleted"`
	EbayOrderID                             string      `json:"ebay_order_id"`
	BillingAddress                          Address     `json:"billing_address"`
	IsEmailOptIn                            bool        `json:"is_email_opt_in"`
	CreditCardType                          *string     `json:"credit_card_type"`
	OrderSource                             string      `json:"order_source"`
	ChannelID                               int         `json:"channel_id"`
	ExternalSource                          *string     `json:"external_source"`
	ExternalID                              *string     `json:"external_id"`
	ExternalMerchantID                      *string     `json:"external_merchant_id"`
	ExternalOrderID                         string      `json:"external_order_id"`
	TaxProviderID                           string      `json:"tax_provider_id"`
	CustomerLocale                          string      `json:"customer_locale"`
	Products                                Resource    `json:"products"`
	ShippingAddresses                       Resource    `json:"shipping_addresses"`
	Coupons                                 Resource    `json:"coupons"`
	Consignments                            any         `json:"consignments,omitempty"`
	Fees                                    *[]OrderFee `json:"fees,omitempty"`
}

// OrderFee is an order-level fee (include=fees).
type OrderFee struct {
	ID          int    `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"display_name"`
	CostExTax   Number `json:"cost_ex_tax"`
	CostIncTax  Number `json:"cost_inc_tax"`
	CostTax     Number `json:"cost_tax"`
	Source      string `json:"source"`
}

// ProductOption is an option chosen on an order line.
type ProductOption struct {
	ID                   int    `json:"id"`
	OptionID             int    `json:"option_id"`
	OrderProductID       int    `json:"order_product_id"`
	ProductOptionID      int    `json:"product_option_id"`
	DisplayName          string `json:"display_name"`
	DisplayNameCustomer  string `json:"display_name_customer"`
	DisplayNameMerchant  string `json:"display_name_merchant"`
	DisplayValue         string `json:"display_value"`
	DisplayValueCustomer string `json:"display_value_customer"`
	DisplayValueMerchant string `json:"display_value_merchant"`
	Value                string `json:"value"`
	Type                 string `json:"type"`
	Name                 string `json:"name"`
	DisplayStyle         string `json:"display_style"`
}

// AppliedDiscount is a discount on an order line.
type AppliedDiscount struct {
	ID     string `json:"id"`
	Amount Money  `json:"amount"`
	Name   string `json:"name"`
	Code   string `json:"code"`
	Target string `json:"target"`
}

// OrderProduct is an order line.
type OrderProduct struct {
	ID                    int               `json:"id"`
	OrderID               int               `json:"order_id"`
	ProductID             int               `json:"product_id"`
	VariantID             int               `json:"variant_id"`
	OrderAddressID        int               `json:"order_address_id"`
	OrderPickupMethodID   int               `json:"order_pickup_method_id"`
	Name                  string            `json:"name"`
	NameCustomer          string            `json:"name_customer"`
	NameMerchant          string            `json:"name_merchant"`
	SKU                   string            `json:"sku"`
	UPC                   string            `json:"upc"`
	Type                  string            `json:"type"`
	BasePrice             Money             `json:"base_price"`
	PriceExTax            Money             `json:"price_ex_tax"`
	PriceIncTax           Money             `json:"price_inc_tax"`
	PriceTax              Money             `json:"price_tax"`
	BaseTotal             Money             `json:"base_total"`
	TotalExTax            Money             `json:"total_ex_tax"`
	TotalIncTax           Money             `json:"total_inc_tax"`
	TotalTax              Money             `json:"total_tax"`
	DiscountedTotalIncTax Money             `json:"discounted_total_inc_tax"`
	Weight                Money             `json:"weight"`
	Width                 Money             `json:"width"`
	Height                Money             `json:"height"`
	Depth                 Money             `json:"depth"`
	Quantity              int               `json:"quantity"`
	QuantityShipped       int               `json:"quantity_shipped"`
	QuantityRefunded      int               `json:"quantity_refunded"`
	IsRefunded            bool              `json:"is_refunded"`
	RefundAmount          Money             `json:"refund_amount"`
	ReturnID              int               `json:"return_id"`
	BaseCostPrice         Money             `json:"base_cost_price"`
	CostPriceIncTax       Money             `json:"cost_price_inc_tax"`
	CostPriceExTax        Money             `json:"cost_price_ex_tax"`
	CostPriceTax          Money             `json:"cost_price_tax"`
	WrappingID            int               `json:"wrapping_id"`
	WrappingName          string            `json:"wrapping_name"`
	WrappingMessage       string            `json:"wrapping_message"`
	BaseWrappingCost      Money             `json:"base_wrapping_cost"`
	WrappingCostExTax     Money             `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    Money             `json:"wrapping_cost_inc_tax"`
	WrappingCostTax       Money             `json:"wrapping_cost_tax"`
	FixedShippingCost     Money             `json:"fixed_shipping_cost"`
	EventName             *string           `json:"event_name"`
	EventDate             *string           `json:"event_date"`
	EbayItemID            string            `json:"ebay_item_id"`
	EbayTransactionID     string            `json:"ebay_transaction_id"`
	OptionSetID           *int              `json:"option_set_id"`
	ParentOrderProductID  *int              `json:"parent_order_product_id"`
	IsBundledProduct      bool              `json:"is_bundled_product"`
	BinPickingNumber      string            `json:"bin_picking_number"`
	ExternalID            *string           `json:"external_id"`
	Brand                 string            `json:"brand"`
	GiftCertificateID     *int              `json:"gift_certificate_id"`
	AppliedDiscounts      []AppliedDiscount `json:"applied_discounts"`
	ProductOptions        []ProductOption   `json:"product_options"`
	ConfigurableFields    []FormField       `json:"configurable_fields"`
}

// ShippingAddress is one ship-to address of an order.
type ShippingAddress struct {
	ID      int `json:"id"`
	OrderID int `json:"order_id"`
	AddressFields
	ItemsTotal             int         `json:"items_total"`
	ItemsShipped           int         `json:"items_shipped"`
	ShippingMethod         string      `json:"shipping_method"`
	BaseCost               Money       `json:"base_cost"`
	CostExTax              Money       `json:"cost_ex_tax"`
	CostIncTax             Money       `json:"cost_inc_tax"`
	CostTax                Money       `json:"cost_tax"`
	CostTaxClassID         int         `json:"cost_tax_class_id"`
	BaseHandlingCost       Money       `json:"base_handling_cost"`
	HandlingCostExTax      Money       `json:"handling_cost_ex_tax"`
	HandlingCostIncTax     Money       `json:"handling_cost_inc_tax"`
	HandlingCostTax        Money       `json:"handling_cost_tax"`
	HandlingCostTaxClassID int         `json:"handling_cost_tax_class_id"`
	ShippingZoneID         int         `json:"shipping_zone_id"`
	ShippingZoneName       string      `json:"shipping_zone_name"`
	ShippingQuotes         Resource    `json:"shipping_quotes"`
	FormFields             []FormField `json:"form_fields"`
}

// ShipmentItem is one line of a shipment.
type ShipmentItem struct {
	OrderProductID int `json:"order_product_id"`
	ProductID      int `json:"product_id"`
	Quantity       int `json:"quantity"`
}

// Shipment is a v2 order shipment.
type Shipment struct {
	ID                          int            `json:"id"`
	OrderID                     int            `json:"order_id"`
	CustomerID                  int            `json:"customer_id"`
	OrderAddressID              int            `json:"order_address_id"`
	DateCreated                 Date2822       `json:"date_created"`
	TrackingNumber              string         `json:"tracking_number"`
	MerchantShippingCost        Money          `json:"merchant_shipping_cost"`
	ShippingMethod              string         `json:"shipping_method"`
	Comments                    string         `json:"comments"`
	ShippingProvider            string         `json:"shipping_provider"`
	ShippingProviderDisplayName string         `json:"shipping_provider_display_name"`
	TrackingCarrier             string         `json:"tracking_carrier"`
	TrackingLink                string         `json:"tracking_link"`
	GeneratedTrackingLink       string         `json:"generated_tracking_link"`
	BillingAddress              AddressFields  `json:"billing_address"`
	ShippingAddress             AddressFields  `json:"shipping_address"`
	Items                       []ShipmentItem `json:"items"`
}

// OrderStatus is an entry of /v2/order_statuses.
type OrderStatus struct {
	ID                int    `json:"id"`
	Name              string `json:"name"`
	SystemLabel       string `json:"system_label"`
	CustomLabel       string `json:"custom_label"`
	SystemDescription string `json:"system_description"`
	Order             int    `json:"order"`
}
