package bigcommercetest

// The v3 models (metafields, refunds, catalog, hooks, channels, locations),
// written from the reference and the v3 OpenAPI files.

// Metafield is an order metafield.
type Metafield struct {
	ID            int     `json:"id"`
	PermissionSet string  `json:"permission_set"`
	Namespace     string  `json:"namespace"`
	Key           string  `json:"key"`
	Value         string  `json:"value"`
	Description   string  `json:"description"`
	ResourceType  string  `json:"resource_type"`
	ResourceID    int     `json:"resource_id"`
	DateCreated   DateISO `json:"date_created"`
	DateModified  DateISO `json:"date_modified"`
	OwnerClientID string  `json:"owner_client_id"`
}

// RefundAdjustment reduces the amount refunded for an item.
type RefundAdjustment struct {
	Amount      Number `json:"amount"`
	Description string `json:"description"`
}

// RefundItem is one item of a refund or refund-quote request.
type RefundItem struct {
	ItemType        string             `json:"item_type"`
	ItemID          int                `json:"item_id"`
	Reason          string             `json:"reason,omitempty"`
	Quantity        *int               `json:"quantity,omitempty"`
	Amount          *Number            `json:"amount,omitempty"`
	RequestedAmount *Number            `json:"requested_amount,omitempty"`
	Adjustments     []RefundAdjustment `json:"adjustments,omitempty"`
}

// RefundPayment is how (part of) a refund is paid back.
type RefundPayment struct {
	ID                  int    `json:"id"`
	ProviderID          string `json:"provider_id"`
	ProviderDescription string `json:"provider_description,omitempty"`
	Amount              Number `json:"amount"`
	Offline             bool   `json:"offline"`
	IsDeclined          bool   `json:"is_declined"`
	DeclinedMessage     string `json:"declined_message"`
	TransactionID       string `json:"transaction_id,omitempty"`
}

// Refund is a created refund.
type Refund struct {
	ID                         int             `json:"id"`
	OrderID                    int             `json:"order_id"`
	UserID                     int             `json:"user_id"`
	Created                    DateISO         `json:"created"`
	Reason                     string          `json:"reason"`
	TotalAmount                Number          `json:"total_amount"`
	TotalTax                   Number          `json:"total_tax"`
	UsesMerchantOverrideValues bool            `json:"uses_merchant_override_values"`
	Items                      []RefundItem    `json:"items"`
	Payments                   []RefundPayment `json:"payments"`
}

// RefundMethodOption is one payment option of a refund method.
type RefundMethodOption struct {
	ProviderID          string `json:"provider_id"`
	ProviderDescription string `json:"provider_description"`
	Amount              Number `json:"amount"`
	Offline             bool   `json:"offline"`
	OfflineProvider     bool   `json:"offline_provider"`
	OfflineReason       string `json:"offline_reason"`
}

// RefundQuote is the answer to a refund-quote request.
type RefundQuote struct {
	OrderID                int                    `json:"order_id"`
	TotalRefundAmount      Number                 `json:"total_refund_amount"`
	TotalRefundTaxAmount   Number                 `json:"total_refund_tax_amount"`
	OrderLevelRefundAmount Number                 `json:"order_level_refund_amount"`
	Rounding               Number                 `json:"rounding"`
	Adjustment             Number                 `json:"adjustment"`
	TaxInclusive           bool                   `json:"tax_inclusive"`
	RefundMethods          [][]RefundMethodOption `json:"refund_methods"`
}

// CustomURL is a product's storefront path.
type CustomURL struct {
	URL          string `json:"url"`
	IsCustomized bool   `json:"is_customized"`
}

// Product is a v3 catalog product.
type Product struct {
	ID                      int             `json:"id"`
	Name                    string          `json:"name"`
	Type                    string          `json:"type"`
	SKU                     string          `json:"sku"`
	Description             string          `json:"description"`
	Weight                  Number          `json:"weight"`
	Width                   Number          `json:"width"`
	Depth                   Number          `json:"depth"`
	Height                  Number          `json:"height"`
	Price                   Number          `json:"price"`
	CostPrice               Number          `json:"cost_price"`
	RetailPrice             Number          `json:"retail_price"`
	SalePrice               Number          `json:"sale_price"`
	MapPrice                Number          `json:"map_price"`
	TaxClassID              int             `json:"tax_class_id"`
	CalculatedPrice         Number          `json:"calculated_price"`
	Categories              []int           `json:"categories"`
	BrandID                 int             `json:"brand_id"`
	InventoryLevel          int             `json:"inventory_level"`
	InventoryWarningLevel   int             `json:"inventory_warning_level"`
	InventoryTracking       string          `json:"inventory_tracking"`
	TotalSold               int             `json:"total_sold"`
	FixedCostShippingPrice  Number          `json:"fixed_cost_shipping_price"`
	IsFreeShipping          bool            `json:"is_free_shipping"`
	IsVisible               bool            `json:"is_visible"`
	IsFeatured              bool            `json:"is_featured"`
	BinPickingNumber        string          `json:"bin_picking_number"`
	UPC                     string          `json:"upc"`
	GTIN                    string          `json:"gtin"`
	MPN                     string          `json:"mpn"`
	Availability            string          `json:"availability"`
	Condition               string          `json:"condition"`
	SortOrder               int             `json:"sort_order"`
	DateCreated             DateISO         `json:"date_created"`
	DateModified            DateISO         `json:"date_modified"`
	BaseVariantID           *int            `json:"base_variant_id"`
	CustomURL               CustomURL       `json:"custom_url"`
	Variants                []Variant       `json:"variants,omitempty"`
	Options                 []ProductOptDef `json:"options,omitempty"`
	Channels                []int           `json:"channels,omitempty"`
	OrderQuantityMinimum    int             `json:"order_quantity_minimum"`
	OrderQuantityMaximum    int             `json:"order_quantity_maximum"`
	AvailabilityDescription string          `json:"availability_description"`
}

// OptionValue is a variant's value of one option.
type OptionValue struct {
	ID                int    `json:"id"`
	Label             string `json:"label"`
	OptionID          int    `json:"option_id"`
	OptionDisplayName string `json:"option_display_name"`
}

// Variant is a v3 catalog variant. Nullable fields inherit the product's.
type Variant struct {
	ID                        int           `json:"id"`
	ProductID                 int           `json:"product_id"`
	SKU                       string        `json:"sku"`
	SKUID                     *int          `json:"sku_id"`
	Price                     *Number       `json:"price"`
	SalePrice                 *Number       `json:"sale_price"`
	RetailPrice               *Number       `json:"retail_price"`
	CostPrice                 *Number       `json:"cost_price"`
	MapPrice                  *Number       `json:"map_price"`
	Weight                    *Number       `json:"weight"`
	Width                     *Number       `json:"width"`
	Height                    *Number       `json:"height"`
	Depth                     *Number       `json:"depth"`
	CalculatedPrice           Number        `json:"calculated_price"`
	CalculatedWeight          Number        `json:"calculated_weight"`
	InventoryLevel            int           `json:"inventory_level"`
	InventoryWarningLevel     int           `json:"inventory_warning_level"`
	BinPickingNumber          string        `json:"bin_picking_number"`
	UPC                       string        `json:"upc"`
	GTIN                      string        `json:"gtin"`
	MPN                       string        `json:"mpn"`
	IsFreeShipping            bool          `json:"is_free_shipping"`
	FixedCostShippingPrice    *Number       `json:"fixed_cost_shipping_price"`
	PurchasingDisabled        bool          `json:"purchasing_disabled"`
	PurchasingDisabledMessage string        `json:"purchasing_disabled_message"`
	ImageURL                  string        `json:"image_url"`
	OptionValues              []OptionValue `json:"option_values"`
}

// OptionValueDef is one value a product option offers.
type OptionValueDef struct {
	ID        int    `json:"id"`
	Label     string `json:"label"`
	SortOrder int    `json:"sort_order"`
	IsDefault bool   `json:"is_default"`
}

// ProductOptDef is a product's variant option (e.g. Size).
type ProductOptDef struct {
	ID           int              `json:"id"`
	ProductID    int              `json:"product_id"`
	Name         string           `json:"name"`
	DisplayName  string           `json:"display_name"`
	Type         string           `json:"type"`
	SortOrder    int              `json:"sort_order"`
	OptionValues []OptionValueDef `json:"option_values"`
}

// Hook is a webhook subscription.
type Hook struct {
	ID          int               `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

// Channel is a sales channel.
type Channel struct {
	ID               int    `json:"id"`
	Name             string `json:"name"`
	Type             string `json:"type"`
	Platform         string `json:"platform"`
	Status           string `json:"status"`
	ExternalID       string `json:"external_id"`
	IsListableFromUI bool   `json:"is_listable_from_ui"`
	IsVisible        bool   `json:"is_visible"`
	IconURL          string `json:"icon_url"`
	DateCreated      string `json:"date_created"`
	DateModified     string `json:"date_modified"`
}

// LocationAddress is a location's postal address.
type LocationAddress struct {
	Address1       string         `json:"address1"`
	Address2       string         `json:"address2"`
	City           string         `json:"city"`
	State          string         `json:"state"`
	Zip            string         `json:"zip"`
	Email          string         `json:"email"`
	Phone          string         `json:"phone"`
	GeoCoordinates map[string]any `json:"geo_coordinates"`
	CountryCode    string         `json:"country_code"`
}

// Location is an inventory location.
type Location struct {
	ID                      int             `json:"id"`
	Code                    string          `json:"code"`
	Label                   string          `json:"label"`
	Description             string          `json:"description"`
	ManagedByExternalSource bool            `json:"managed_by_external_source"`
	TypeID                  string          `json:"type_id"`
	Enabled                 bool            `json:"enabled"`
	OperatingHours          map[string]any  `json:"operating_hours"`
	TimeZone                string          `json:"time_zone"`
	CreatedAt               string          `json:"created_at"`
	UpdatedAt               string          `json:"updated_at"`
	Address                 LocationAddress `json:"address"`
	StorefrontVisibility    bool            `json:"storefront_visibility"`
	SpecialHours            []any           `json:"special_hours"`
}

// ItemIdentity names an inventory item.
type ItemIdentity struct {
	SKU       string `json:"sku"`
	VariantID int    `json:"variant_id"`
	ProductID int    `json:"product_id"`
	SKUID     *int   `json:"sku_id"`
}

// ItemSettings are an item's per-location settings.
type ItemSettings struct {
	SafetyStock      int    `json:"safety_stock"`
	IsInStock        bool   `json:"is_in_stock"`
	WarningLevel     int    `json:"warning_level"`
	BinPickingNumber string `json:"bin_picking_number"`
}

// ItemLocation is an item's stock at one location.
type ItemLocation struct {
	LocationID           int          `json:"location_id"`
	LocationCode         string       `json:"location_code"`
	LocationName         string       `json:"location_name"`
	AvailableToSell      int          `json:"available_to_sell"`
	TotalInventoryOnhand int          `json:"total_inventory_onhand"`
	LocationEnabled      bool         `json:"location_enabled"`
	Settings             ItemSettings `json:"settings"`
}

// InventoryItem is an entry of GET /v3/inventory/items.
type InventoryItem struct {
	Identity  ItemIdentity   `json:"identity"`
	Locations []ItemLocation `json:"locations"`
}

// LocationItem is an entry of GET /v3/inventory/locations/{id}/items.
type LocationItem struct {
	Identity             ItemIdentity `json:"identity"`
	AvailableToSell      int          `json:"available_to_sell"`
	TotalInventoryOnhand int          `json:"total_inventory_onhand"`
	Settings             ItemSettings `json:"settings"`
}
