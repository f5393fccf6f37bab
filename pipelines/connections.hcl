# Where the vendors reach `tote run`, e.g. https://tote.example.com: the
# webhook subscriptions plan and apply manage point here. Empty: none.
variable "public_url" {
  type    = string
  default = ""
}

# How often the reconcile polls look for what webhooks missed.
variable "reconcile_schedule" {
  type    = string
  default = "*/5 * * * *"
}

# Order statuses, read by the orders and exceptions pipelines.
# BigCommerce status id -> ShipStation orderStatus. Statuses not listed are
# never imported: Incomplete (0), Pending (1), Declined (6), Awaiting Pickup
# (8), and those that follow shipping (2, 3, 10, 14).
variable "order_status_map" {
  type = map(string)
  default = {
    "7"  = "awaiting_payment"  # Awaiting Payment
    "11" = "awaiting_shipment" # Awaiting Fulfillment
    "9"  = "awaiting_shipment" # Awaiting Shipment
    "3"  = "awaiting_shipment" # Partially Shipped: an address or a parcel still to go
    "12" = "on_hold"           # Manual Verification Required
    "13" = "on_hold"           # Disputed
    "5"  = "cancelled"         # Cancelled
    "4"  = "cancelled"         # Refunded
  }
}

# BigCommerce status ids, not in order_status_map, that must not ship: an
# order ShipStation already has that moves to one is put on hold there, with
# "[tote] hold: BigCommerce status <name>" in its internal notes, and the
# hold lifts when it moves to a status the map lists. Such an order is never
# created. Incomplete (0) and Pending (1): checkout not completed; Declined
# (6): payment failed; Awaiting Pickup (8): the customer collects it. Those
# that follow shipping (2, 10, 14; 3 is mapped above) are left out, so a
# parcel on its way is never held.
variable "hold_after_import" {
  type    = list(string)
  default = ["0", "1", "6", "8"]
}

connection "bigcommerce" "main" {
  store_hash    = env("BIGCOMMERCE_STORE_HASH")
  access_token  = secret("BIGCOMMERCE_ACCESS_TOKEN")
  client_secret = secret("BIGCOMMERCE_CLIENT_SECRET")
  api_url       = env("BIGCOMMERCE_API_URL", "https://api.bigcommerce.com")
  rate_quota    = tonumber(env("BIGCOMMERCE_RATE_QUOTA", "150"))
  timeout       = env("BIGCOMMERCE_TIMEOUT", "30s")
}

# A second BigCommerce store, sent to the same ShipStation account: set
# BIGCOMMERCE2_STORE_HASH (and the token) to enable it. Every pipeline
# serves each enabled bigcommerce connection (for_each), and its keys
# (bc:<store_hash>:...) never collide with the first's. A third store is one
# more block like this one, say "kiosk" with BIGCOMMERCE3_* variables;
# nothing else changes.
connection "bigcommerce" "second" {
  enabled       = env("BIGCOMMERCE2_STORE_HASH", "") != ""
  store_hash    = env("BIGCOMMERCE2_STORE_HASH", "")
  access_token  = secret("BIGCOMMERCE2_ACCESS_TOKEN", "")
  client_secret = secret("BIGCOMMERCE2_CLIENT_SECRET", "")
  api_url       = env("BIGCOMMERCE2_API_URL", "https://api.bigcommerce.com")
  rate_quota    = tonumber(env("BIGCOMMERCE2_RATE_QUOTA", "150"))
}

connection "shipstation" "main" {
  api_key       = secret("SHIPSTATION_API_KEY")
  api_secret    = secret("SHIPSTATION_API_SECRET")
  v2_api_key    = secret("SHIPSTATION_V2_API_KEY", "")
  api_url       = env("SHIPSTATION_API_URL", "https://ssapi.shipstation.com")
  v2_api_url    = env("SHIPSTATION_V2_API_URL", "https://api.shipstation.com")
  webhook_token = secret("SHIPSTATION_WEBHOOK_TOKEN", "")
  rate_quota    = tonumber(env("SHIPSTATION_RATE_QUOTA", "40"))
  v2_rate_quota = tonumber(env("SHIPSTATION_V2_RATE_QUOTA", "200"))
  timeout       = env("SHIPSTATION_TIMEOUT", "30s")

  # How long a product update waits for ShipStation to know its SKU.
  unknown_sku_retry = env("SHIPSTATION_UNKNOWN_SKU_RETRY", "15m")
}

# Customer emails (exceptions and returns). The sandbox points this at its
# SMTP capture server.
connection "email" "customers" {
  host     = env("SMTP_HOST", "localhost")
  port     = tonumber(env("SMTP_PORT", "587"))
  username = env("SMTP_USERNAME", "")
  password = secret("SMTP_PASSWORD", "")
  from     = env("EMAIL_FROM", "Orders <orders@example.com>")
  starttls = env("SMTP_STARTTLS", "required")
}
