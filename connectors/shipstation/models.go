package shipstation

// The client's models of ShipStation's v1 and v2 JSON, written from the
// ShipStation reference. Fields are pointers so that "not set" survives a
// round trip: a null in a pipeline's order means "keep what ShipStation
// has". Fields tagged ss:"ro" are read-only and are not arguments.

// Address is a ship-to, bill-to or warehouse address.
type Address struct {
	Name            *string `json:"name,omitempty"`
	Company         *string `json:"company,omitempty"`
	Street1         *string `json:"street1,omitempty"`
	Street2         *string `json:"street2,omitempty"`
	Street3         *string `json:"street3,omitempty"`
	City            *string `json:"city,omitempty"`
	State           *string `json:"state,omitempty"`
	PostalCode      *string `json:"postalCode,omitempty"`
	Country         *string `json:"country,omitempty"`
	Phone           *string `json:"phone,omitempty"`
	Residential     *bool   `json:"residential,omitempty"`
	AddressVerified *string `json:"addressVerified,omitempty" ss:"ro"`
}

// Weight is a weight in pounds, ounces or grams. ShipStation also writes a
// numeric WeightUnits mirror, which is ignored.
type Weight struct {
	Value *float64 `json:"value,omitempty"`
	Units *string  `json:"units,omitempty"`
}

// Dimensions are a parcel's size in inches or centimeters.
type Dimensions struct {
	Length *float64 `json:"length,omitempty"`
	Width  *float64 `json:"width,omitempty"`
	Height *float64 `json:"height,omitempty"`
	Units  *string  `json:"units,omitempty"`
}

// ItemOption is one option of an order line, such as Size: Large.
type ItemOption struct {
	Name  *string `json:"name,omitempty"`
	Value *string `json:"value,omitempty"`
}

// InsuranceOptions say whether and how a shipment is insured.
type InsuranceOptions struct {
	Provider       *string `json:"provider,omitempty"`
	InsureShipment *bool   `json:"insureShipment,omitempty"`
	InsuredValue   *Money  `json:"insuredValue,omitempty"`
}

// CustomsItem is one line of a customs declaration.
type CustomsItem struct {
	CustomsItemID        *int64  `json:"customsItemId,omitempty" ss:"ro"`
	Description          *string `json:"description,omitempty"`
	Quantity             *int64  `json:"quantity,omitempty"`
	Value                *Money  `json:"value,omitempty"`
	HarmonizedTariffCode *string `json:"harmonizedTariffCode,omitempty"`
	CountryOfOrigin      *string `json:"countryOfOrigin,omitempty"`
}

// InternationalOptions carry the customs declaration.
type InternationalOptions struct {
	Contents     *string       `json:"contents,omitempty"`
	CustomsItems []CustomsItem `json:"customsItems,omitempty"`
	NonDelivery  *string       `json:"nonDelivery,omitempty"`
}

// AdvancedOptions hold the store, warehouse and custom fields of an order.
type AdvancedOptions struct {
	WarehouseID       *int64  `json:"warehouseId,omitempty"`
	NonMachinable     *bool   `json:"nonMachinable,omitempty"`
	SaturdayDelivery  *bool   `json:"saturdayDelivery,omitempty"`
	ContainsAlcohol   *bool   `json:"containsAlcohol,omitempty"`
	MergedOrSplit     *bool   `json:"mergedOrSplit,omitempty" ss:"ro"`
	MergedIDs         []int64 `json:"mergedIds,omitempty" ss:"ro"`
	ParentID          *int64  `json:"parentId,omitempty" ss:"ro"`
	StoreID           *int64  `json:"storeId,omitempty"`
	CustomField1      *string `json:"customField1,omitempty"`
	CustomField2      *string `json:"customField2,omitempty"`
	CustomField3      *string `json:"customField3,omitempty"`
	Source            *string `json:"source,omitempty"`
	BillToParty       *string `json:"billToParty,omitempty"`
	BillToAccount     *string `json:"billToAccount,omitempty"`
	BillToPostalCode  *string `json:"billToPostalCode,omitempty"`
	BillToCountryCode *string `json:"billToCountryCode,omitempty"`
}

// OrderItem is one line of an order; ShipmentItem uses the same shape.
type OrderItem struct {
	OrderItemID       *int64       `json:"orderItemId,omitempty" ss:"ro"`
	LineItemKey       *string      `json:"lineItemKey,omitempty"`
	SKU               *string      `json:"sku,omitempty"`
	Name              *string      `json:"name,omitempty"`
	ImageURL          *string      `json:"imageUrl,omitempty"`
	Weight            *Weight      `json:"weight,omitempty"`
	Quantity          *int64       `json:"quantity,omitempty"`
	UnitPrice         *Money       `json:"unitPrice,omitempty"`
	TaxAmount         *Money       `json:"taxAmount,omitempty"`
	ShippingAmount    *Money       `json:"shippingAmount,omitempty"`
	WarehouseLocation *string      `json:"warehouseLocation,omitempty"`
	Options           []ItemOption `json:"options,omitempty"`
	ProductID         *int64       `json:"productId,omitempty" ss:"ro"`
	FulfillmentSKU    *string      `json:"fulfillmentSku,omitempty"`
	Adjustment        *bool        `json:"adjustment,omitempty"`
	UPC               *string      `json:"upc,omitempty"`
}

// Order is a v1 order.
type Order struct {
	OrderID                  *int64                `json:"orderId,omitempty" ss:"ro"`
	OrderNumber              *string               `json:"orderNumber,omitempty"`
	OrderKey                 *string               `json:"orderKey,omitempty"`
	OrderDate                *Stamp                `json:"orderDate,omitempty"`
	CreateDate               *Stamp                `json:"createDate,omitempty" ss:"ro"`
	ModifyDate               *Stamp                `json:"modifyDate,omitempty" ss:"ro"`
	PaymentDate              *Stamp                `json:"paymentDate,omitempty"`
	ShipByDate               *Stamp                `json:"shipByDate,omitempty"`
	OrderStatus              *string               `json:"orderStatus,omitempty"`
	CustomerID               *int64                `json:"customerId,omitempty" ss:"ro"`
	CustomerUsername         *string               `json:"customerUsername,omitempty"`
	CustomerEmail            *string               `json:"customerEmail,omitempty"`
	BillTo                   *Address              `json:"billTo,omitempty"`
	ShipTo                   *Address              `json:"shipTo,omitempty"`
	Items                    []OrderItem           `json:"items,omitempty"`
	OrderTotal               *Money                `json:"orderTotal,omitempty" ss:"ro"`
	AmountPaid               *Money                `json:"amountPaid,omitempty"`
	TaxAmount                *Money                `json:"taxAmount,omitempty"`
	ShippingAmount           *Money                `json:"shippingAmount,omitempty"`
	CustomerNotes            *string               `json:"customerNotes,omitempty"`
	InternalNotes            *string               `json:"internalNotes,omitempty"`
	Gift                     *bool                 `json:"gift,omitempty"`
	GiftMessage              *string               `json:"giftMessage,omitempty"`
	PaymentMethod            *string               `json:"paymentMethod,omitempty"`
	RequestedShippingService *string               `json:"requestedShippingService,omitempty"`
	CarrierCode              *string               `json:"carrierCode,omitempty"`
	ServiceCode              *string               `json:"serviceCode,omitempty"`
	PackageCode              *string               `json:"packageCode,omitempty"`
	Confirmation             *string               `json:"confirmation,omitempty"`
	ShipDate                 *Day                  `json:"shipDate,omitempty"`
	HoldUntilDate            *Day                  `json:"holdUntilDate,omitempty"`
	Weight                   *Weight               `json:"weight,omitempty"`
	Dimensions               *Dimensions           `json:"dimensions,omitempty"`
	InsuranceOptions         *InsuranceOptions     `json:"insuranceOptions,omitempty"`
	InternationalOptions     *InternationalOptions `json:"internationalOptions,omitempty"`
	AdvancedOptions          *AdvancedOptions      `json:"advancedOptions,omitempty"`
	TagIDs                   []int64               `json:"tagIds,omitempty"`
	UserID                   *string               `json:"userId,omitempty"`
	ExternallyFulfilled      *bool                 `json:"externallyFulfilled,omitempty" ss:"ro"`
	ExternallyFulfilledBy    *string               `json:"externallyFulfilledBy,omitempty" ss:"ro"`
	// BigCommerce is the BigCommerce order orderKey names, when tote wrote
	// the key (see orderkey.go); never sent to or read from ShipStation.
	BigCommerce *BigCommerceOrder `json:"-" cty:"bigcommerce" ss:"ro"`
}

// orderPage is the envelope of GET /orders and /orders/listbytag.
type orderPage struct {
	Orders []Order `json:"orders"`
	Total  int     `json:"total"`
	Page   int     `json:"page"`
	Pages  int     `json:"pages"`
}

// bulkResult is one entry of the /orders/createorders answer.
type bulkResult struct {
	OrderID      *int64  `json:"orderId"`
	OrderNumber  *string `json:"orderNumber"`
	OrderKey     *string `json:"orderKey"`
	Success      bool    `json:"success"`
	ErrorMessage *string `json:"errorMessage"`
}

// bulkAnswer is the /orders/createorders answer, 200 even when some failed.
type bulkAnswer struct {
	HasErrors bool         `json:"hasErrors"`
	Results   []bulkResult `json:"results"`
}

// actionAnswer is the {"success","message"} body of small order actions.
type actionAnswer struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// Shipment is a label bought in ShipStation (outbound or return).
type Shipment struct {
	ShipmentID          *int64            `json:"shipmentId,omitempty"`
	OrderID             *int64            `json:"orderId,omitempty"`
	OrderKey            *string           `json:"orderKey,omitempty"`
	OrderNumber         *string           `json:"orderNumber,omitempty"`
	UserID              *string           `json:"userId,omitempty"`
	CustomerEmail       *string           `json:"customerEmail,omitempty"`
	CreateDate          *Stamp            `json:"createDate,omitempty"`
	ShipDate            *Day              `json:"shipDate,omitempty"`
	ShipmentCost        *Money            `json:"shipmentCost,omitempty"`
	InsuranceCost       *Money            `json:"insuranceCost,omitempty"`
	TrackingNumber      *string           `json:"trackingNumber,omitempty"`
	IsReturnLabel       *bool             `json:"isReturnLabel,omitempty"`
	BatchNumber         *string           `json:"batchNumber,omitempty"`
	CarrierCode         *string           `json:"carrierCode,omitempty"`
	ServiceCode         *string           `json:"serviceCode,omitempty"`
	PackageCode         *string           `json:"packageCode,omitempty"`
	Confirmation        *string           `json:"confirmation,omitempty"`
	WarehouseID         *int64            `json:"warehouseId,omitempty"`
	Voided              *bool             `json:"voided,omitempty"`
	VoidDate            *Stamp            `json:"voidDate,omitempty"`
	MarketplaceNotified *bool             `json:"marketplaceNotified,omitempty"`
	NotifyErrorMessage  *string           `json:"notifyErrorMessage,omitempty"`
	ShipTo              *Address          `json:"shipTo,omitempty"`
	Weight              *Weight           `json:"weight,omitempty"`
	Dimensions          *Dimensions       `json:"dimensions,omitempty"`
	InsuranceOptions    *InsuranceOptions `json:"insuranceOptions,omitempty"`
	ShipmentItems       []OrderItem       `json:"shipmentItems,omitempty"`
	// BigCommerce is the BigCommerce order orderKey names, when tote wrote
	// the key (see orderkey.go); never sent to or read from ShipStation.
	BigCommerce *BigCommerceOrder `json:"-" cty:"bigcommerce" ss:"ro"`
}

// Fulfillment is an order marked shipped without a ShipStation label.
type Fulfillment struct {
	FulfillmentID *int64  `json:"fulfillmentId,omitempty"`
	OrderID       *int64  `json:"orderId,omitempty"`
	OrderNumber   *string `json:"orderNumber,omitempty"`
	// OrderKey is not in ShipStation's fulfillments: the connector reads it
	// from the order (orderId) before pipelines see the fulfillment.
	OrderKey                *string  `json:"-" cty:"orderKey"`
	UserID                  *string  `json:"userId,omitempty"`
	CustomerEmail           *string  `json:"customerEmail,omitempty"`
	TrackingNumber          *string  `json:"trackingNumber,omitempty"`
	CreateDate              *Stamp   `json:"createDate,omitempty"`
	ShipDate                *Day     `json:"shipDate,omitempty"`
	VoidDate                *Stamp   `json:"voidDate,omitempty"`
	DeliveryDate            *Stamp   `json:"deliveryDate,omitempty"`
	CarrierCode             *string  `json:"carrierCode,omitempty"`
	FulfillmentProviderCode *string  `json:"fulfillmentProviderCode,omitempty"`
	FulfillmentServiceCode  *string  `json:"fulfillmentServiceCode,omitempty"`
	FulfillmentFee          *Money   `json:"fulfillmentFee,omitempty"`
	VoidRequested           *bool    `json:"voidRequested,omitempty"`
	Voided                  *bool    `json:"voided,omitempty"`
	MarketplaceNotified     *bool    `json:"marketplaceNotified,omitempty"`
	NotifyErrorMessage      *string  `json:"notifyErrorMessage,omitempty"`
	ShipTo                  *Address `json:"shipTo,omitempty"`
	// BigCommerce is the BigCommerce order orderKey names, when tote wrote
	// the key (see orderkey.go); never sent to or read from ShipStation.
	BigCommerce *BigCommerceOrder `json:"-" cty:"bigcommerce" ss:"ro"`
}

// ProductCategory is a product's category.
type ProductCategory struct {
	CategoryID *int64  `json:"categoryId,omitempty"`
	Name       *string `json:"name,omitempty"`
}

// ProductTag is a tag as listed on a product.
type ProductTag struct {
	TagID *int64  `json:"tagId,omitempty"`
	Name  *string `json:"name,omitempty"`
}

// Product is a v1 product record. PUT replaces it whole.
type Product struct {
	ProductID               *int64           `json:"productId,omitempty" ss:"ro"`
	SKU                     *string          `json:"sku,omitempty" ss:"ro"`
	Name                    *string          `json:"name,omitempty"`
	Price                   *Money           `json:"price,omitempty"`
	DefaultCost             *Money           `json:"defaultCost,omitempty"`
	Length                  *float64         `json:"length,omitempty"`
	Width                   *float64         `json:"width,omitempty"`
	Height                  *float64         `json:"height,omitempty"`
	WeightOz                *float64         `json:"weightOz,omitempty"`
	InternalNotes           *string          `json:"internalNotes,omitempty"`
	FulfillmentSKU          *string          `json:"fulfillmentSku,omitempty"`
	CreateDate              *Stamp           `json:"createDate,omitempty" ss:"ro"`
	ModifyDate              *Stamp           `json:"modifyDate,omitempty" ss:"ro"`
	Active                  *bool            `json:"active,omitempty"`
	ProductCategory         *ProductCategory `json:"productCategory,omitempty"`
	ProductType             *string          `json:"productType,omitempty"`
	WarehouseLocation       *string          `json:"warehouseLocation,omitempty"`
	DefaultCarrierCode      *string          `json:"defaultCarrierCode,omitempty"`
	DefaultServiceCode      *string          `json:"defaultServiceCode,omitempty"`
	DefaultPackageCode      *string          `json:"defaultPackageCode,omitempty"`
	DefaultIntlCarrierCode  *string          `json:"defaultIntlCarrierCode,omitempty"`
	DefaultIntlServiceCode  *string          `json:"defaultIntlServiceCode,omitempty"`
	DefaultIntlPackageCode  *string          `json:"defaultIntlPackageCode,omitempty"`
	DefaultConfirmation     *string          `json:"defaultConfirmation,omitempty"`
	DefaultIntlConfirmation *string          `json:"defaultIntlConfirmation,omitempty"`
	CustomsDescription      *string          `json:"customsDescription,omitempty"`
	CustomsValue            *Money           `json:"customsValue,omitempty"`
	CustomsTariffNo         *string          `json:"customsTariffNo,omitempty"`
	CustomsCountryCode      *string          `json:"customsCountryCode,omitempty"`
	NoCustoms               *bool            `json:"noCustoms,omitempty"`
	Tags                    []ProductTag     `json:"tags,omitempty" ss:"ro"`
	UPC                     *string          `json:"upc,omitempty"`
}

// Warehouse is a ship-from location.
type Warehouse struct {
	WarehouseID   *int64   `json:"warehouseId,omitempty"`
	WarehouseName *string  `json:"warehouseName,omitempty"`
	OriginAddress *Address `json:"originAddress,omitempty"`
	ReturnAddress *Address `json:"returnAddress,omitempty"`
	IsDefault     *bool    `json:"isDefault,omitempty"`
}

// Store is a selling channel; marketplaceId 0 is a manual (API) store.
type Store struct {
	StoreID         *int64  `json:"storeId,omitempty"`
	StoreName       *string `json:"storeName,omitempty"`
	MarketplaceID   *int64  `json:"marketplaceId,omitempty"`
	MarketplaceName *string `json:"marketplaceName,omitempty"`
	Active          *bool   `json:"active,omitempty"`
}

// Tag is an order tag. Tags are made in the ShipStation UI only.
type Tag struct {
	TagID *int64  `json:"tagId,omitempty"`
	Name  *string `json:"name,omitempty"`
	Color *string `json:"color,omitempty"`
}

// Webhook is a v1 subscription as GET /webhooks lists it: the one PascalCase
// object of the v1 API.
type Webhook struct {
	WebHookID *int64  `json:"WebHookID,omitempty"`
	StoreID   *int64  `json:"StoreID,omitempty"`
	HookType  *string `json:"HookType,omitempty"`
	URL       *string `json:"Url,omitempty"`
	Name      *string `json:"Name,omitempty"`
	Active    *bool   `json:"Active,omitempty"`
}

// webhookView is how tote shows a webhook: the token in its URL removed.
type webhookView struct {
	ID      *int64  `json:"id"`
	Event   *string `json:"event"`
	URL     *string `json:"url"`
	StoreID *int64  `json:"storeId"`
	Name    *string `json:"name"`
	Active  *bool   `json:"active"`
}

// subscribeRequest is the body of POST /webhooks/subscribe.
type subscribeRequest struct {
	TargetURL    string `json:"target_url"`
	Event        string `json:"event"`
	StoreID      *int64 `json:"store_id"`
	FriendlyName string `json:"friendly_name"`
}

// V2Money is a v2 amount with its currency.
type V2Money struct {
	Amount   *Money  `json:"amount,omitempty"`
	Currency *string `json:"currency,omitempty"`
}

// InventoryLevel is one row of GET /v2/inventory.
type InventoryLevel struct {
	SKU                  *string  `json:"sku,omitempty"`
	OnHand               *int64   `json:"on_hand,omitempty"`
	Allocated            *int64   `json:"allocated,omitempty"`
	Available            *int64   `json:"available,omitempty"`
	AverageCost          *V2Money `json:"average_cost,omitempty"`
	InventoryWarehouseID *string  `json:"inventory_warehouse_id,omitempty"`
	InventoryLocationID  *string  `json:"inventory_location_id,omitempty"`
}

// inventoryPage is the envelope of GET /v2/inventory.
type inventoryPage struct {
	Inventory []InventoryLevel `json:"inventory"`
	Page      int              `json:"page"`
	Pages     int              `json:"pages"`
}

// notification is the body of a v1 webhook delivery.
type notification struct {
	ResourceURL  string `json:"resource_url"`
	ResourceType string `json:"resource_type"`
}

// orderRef is the output of the order writes.
type orderRef struct {
	ID          *int64  `json:"id"`
	OrderKey    *string `json:"orderKey"`
	OrderNumber *string `json:"orderNumber"`
	OrderStatus *string `json:"orderStatus"`
}
