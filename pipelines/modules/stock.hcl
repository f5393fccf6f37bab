# Absolute stock: ShipStation's available stock of the SKUs given (summed
# over its v2 inventory locations) becomes BigCommerce's stock at a location.
# Used by inventory.hcl and returns.hcl.

# Whether to run at all (inventory_mode = "absolute").
variable "enabled" {
  type = bool
}

variable "skus" {
  type = list(string)
}

# The BigCommerce inventory location.
variable "location_id" {
  type = number
}

# The reason BigCommerce records with each change.
variable "reason" {
  type = string
}

step "read" {
  action = shipstation.get_stock_levels
  when   = var.enabled && length(var.skus) > 0
  skus   = var.skus
}

step "set" {
  action      = bigcommerce.set_stock
  for_each    = step.read.output == null ? {} : step.read.output
  on_error    = "continue"
  sku         = each.key
  location_id = var.location_id
  quantity    = each.value
  reason      = var.reason
}

# SKU -> the quantity read from ShipStation (null when nothing was read).
output "levels" {
  value = step.read.output
}
