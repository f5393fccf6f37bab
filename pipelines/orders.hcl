# Flow 1 and 2: BigCommerce orders become ShipStation orders, every field
# mapped, routed to a store and a warehouse and tagged by priority. Edits to
# an open order are sent again whole; cancels follow.

# Which BigCommerce statuses are imported, and which are held, is in
# connections.hcl (order_status_map, hold_after_import): the exceptions
# pipeline reads them too.

# BigCommerce channel id -> ShipStation store name (stores are made in
# ShipStation). Channels not listed go to default_store; empty means
# ShipStation's default store.
variable "store_by_channel" {
  type    = map(string)
  default = {}
}

# BigCommerce store hash -> ShipStation store name, for channels not
# listed in store_by_channel; store_by_channel may also name
# "<store_hash>:<channel id>" for one store's channel.
variable "store_by_store_hash" {
  type    = map(string)
  default = {}
}

variable "default_store" {
  type    = string
  default = ""
}

# Ship-to country (ISO 2) -> ShipStation warehouse name.
variable "warehouse_by_country" {
  type    = map(string)
  default = { "CA" = "Reno DC" }
}

variable "default_warehouse" {
  type    = string
  default = "Denver DC"
}

# A shipping method containing any of these (case-insensitive) is expedited.
variable "expedited_methods" {
  type    = list(string)
  default = ["express", "overnight", "next day", "2-day", "priority"]
}

variable "priority_tag" {
  type    = string
  default = "Priority"
}

variable "standard_tag" {
  type    = string
  default = "Standard"
}

# ShipStation custom fields, each from a BigCommerce order attribute
# (empty: not set).
variable "custom_fields" {
  type = object({ customField1 = string, customField2 = string, customField3 = string })
  default = {
    customField1 = "channel_id"
    customField2 = "payment_method"
    customField3 = ""
  }
}

pipeline "orders" {
  description = "BigCommerce orders become ShipStation orders; edits and cancels follow."
  # One instance per enabled BigCommerce store: its triggers and
  # bigcommerce steps use that store's connection.
  for_each = connection.bigcommerce

  trigger "bigcommerce_webhook" "changed" {
    scopes = ["store/order/created", "store/order/updated", "store/order/statusUpdated"]
  }

  trigger "bigcommerce_poll" "sweep" {
    resource = "orders"
    schedule = var.reconcile_schedule
  }

  step "orders" {
    action = bigcommerce.get_orders
    ids    = trigger.order_ids
  }

  step "store" {
    action = bigcommerce.get_store
  }

  # One ShipStation order per ship-to address (get_orders' consignments:
  # the first keeps the plain order number). An order at a status in
  # hold_after_import is only held, and only if ShipStation has it.
  transform "shipments" {
    for_each = merge(concat([{}], [for o in step.orders.output : {
      for c in o.consignments : trimprefix(c.key, "bc:${o.store_hash}:") => merge(c, { order = o })
    } if contains(concat(keys(var.order_status_map), var.hold_after_import), tostring(o.status_id))])...)

    value = merge(each.value, {
      status = lookup(var.order_status_map, tostring(each.value.order.status_id), "on_hold")
      method = lower(coalesce(each.value.address.shipping_method, ""))
    })
  }

  # The ShipStation order of each, every field mapped
  # (modules/shipstation_order.hcl).
  module "shipstation" {
    source        = "./modules/shipstation_order.hcl"
    shipments     = transform.shipments
    weight_units  = step.store.output.weight_units
    custom_fields = var.custom_fields
  }

  step "upsert" {
    action   = shipstation.upsert_order
    for_each = transform.shipments
    on_error = "continue"
    orderKey = each.value.key
    order    = module.shipstation.orders[each.key]
    # The first store named: by store and channel, channel, store, default.
    store = try(compact([
      lookup(var.store_by_channel, "${each.value.order.store_hash}:${each.value.order.channel_id}", ""),
      lookup(var.store_by_channel, tostring(each.value.order.channel_id), ""),
      lookup(var.store_by_store_hash, each.value.order.store_hash, ""),
      var.default_store,
    ])[0], null)
    warehouse = lookup(var.warehouse_by_country, each.value.address.country_iso2, var.default_warehouse)
    # An expedited shipping method gets the priority tag.
    tags = [length([for m in var.expedited_methods : m if length(regexall(lower(m), each.value.method)) > 0]) > 0 ? var.priority_tag : var.standard_tag]

    # A hold put on in ShipStation stays, unless BigCommerce lifts its own
    # verification or dispute status. Holds tote makes for those statuses
    # say so in ShipStation's internal notes, so that a sweep or catch-up
    # that never saw the statusUpdated lifts them too.
    release_hold = contains([12, 13], coalesce(trigger.previous_status_id, 0))
    hold_reason  = each.value.status == "on_hold" ? "BigCommerce status ${each.value.order.status}" : null
    # A status in hold_after_import holds an order ShipStation has and
    # never creates one.
    create = contains(keys(var.order_status_map), tostring(each.value.order.status_id))
  }
}
