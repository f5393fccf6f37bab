# Flow 4: ShipStation's stock reaches BigCommerce. By default, after each
# shipment and on a schedule, ShipStation's v2 inventory is read for the
# SKUs concerned and BigCommerce stock is set to it, absolutely, at the
# mapped location. Without a v2 key, set inventory_mode = "relative":
# shipped items BigCommerce has not counted itself are taken off its
# stock, each shipment once.

# "absolute" (needs SHIPSTATION_V2_API_KEY) or "relative".
variable "inventory_mode" {
  type    = string
  default = "absolute"
}

# The BigCommerce inventory location ShipStation's stock is set at.
variable "inventory_location" {
  type    = number
  default = 1
}

# Relative mode: whether BigCommerce reduces stock for its own orders (its
# inventory setting: when an order is placed, the default, or when it is
# completed or shipped). Then only other channels' shipments are taken off;
# false, for a store set never to update stock, takes off every shipment.
variable "bigcommerce_reduces_stock" {
  type    = bool
  default = true
}

# How often every SKU of the catalog is brought in line.
variable "inventory_schedule" {
  type    = string
  default = "0 * * * *"
}

pipeline "inventory" {
  description = "ShipStation stock levels become BigCommerce stock levels."
  # One instance per enabled BigCommerce store: each sets its own SKUs, from
  # its own shipments and, on the schedule, its own catalog.
  for_each = connection.bigcommerce

  trigger "shipstation_webhook" "shipped" {
    events = ["SHIP_NOTIFY"]
  }

  # Shipments whose notification never came (tote was down, or ShipStation
  # gave up): relative mode takes their units off too.
  trigger "shipstation_poll" "shipments" {
    resource = "shipments"
    schedule = var.reconcile_schedule
  }

  trigger "cron" "sweep" {
    schedule = var.inventory_schedule
  }

  # The whole catalog on the schedule; otherwise the shipments' SKUs.
  step "catalog" {
    action = bigcommerce.get_products
    when   = trigger.kind == "cron" && var.inventory_mode == "absolute"
    all    = true
  }

  transform "shipped" {
    value = [for s in trigger.kind == "cron" ? [] : trigger.shipments : s if !coalesce(s.isReturnLabel, false)]
  }

  transform "skus" {
    value = distinct(compact(concat(
      flatten([for s in transform.shipped : [for i in coalesce(s.shipmentItems, []) : i.sku]]),
      step.catalog.output == null ? [] : flatten([for p in step.catalog.output : p.skus[*].sku])
    )))
  }

  # Absolute mode: ShipStation's stock of the SKUs becomes BigCommerce's.
  module "stock" {
    source      = "./modules/stock.hcl"
    enabled     = var.inventory_mode == "absolute"
    skus        = transform.skus
    location_id = var.inventory_location
    reason      = "ShipStation stock"
  }

  # Relative mode: the shipments whose units BigCommerce has not counted
  # itself: other channels' (no BigCommerce order; every store is given
  # them), and this store's own only when BigCommerce does not reduce stock
  # for its orders.
  transform "uncounted" {
    value = [
      for s in trigger.kind == "cron" ? [] : concat(var.bigcommerce_reduces_stock ? [] : trigger.shipments, trigger.other_shipments) : s
      if var.inventory_mode == "relative" && !coalesce(s.isReturnLabel, false) && !coalesce(s.voided, false)
    ]
  }

  # Their lines with a SKU; foreign: of another channel's order.
  transform "lines" {
    value = flatten([for s in transform.uncounted : [for i in coalesce(s.shipmentItems, []) : {
      key = "${s.shipmentId}:${i.sku}", sku = i.sku, quantity = i.quantity, shipment = s.shipmentId, foreign = s.bigcommerce == null
    } if coalesce(i.sku, "") != ""]])
  }

  # Other channels' SKUs that BigCommerce sells: only those are its stock.
  step "sold" {
    action = bigcommerce.get_variants
    when   = var.inventory_mode == "relative"
    skus   = distinct([for l in transform.lines : l.sku if l.foreign])
  }

  # Each SKU of those shipments is taken off once per shipment, all of the
  # shipment's lines of it together.
  step "take" {
    action = bigcommerce.adjust_stock
    for_each = { for l in transform.lines : l.key => l...
      if !l.foreign || contains([for v in coalesce(step.sold.output, []) : lower(v.sku)], lower(l.sku))
    }
    on_error    = "continue"
    sku         = each.value[0].sku
    location_id = var.inventory_location
    quantity    = -sum([for l in each.value : l.quantity])
    reference   = "shipstation shipment ${each.value[0].shipment}"
  }
}
