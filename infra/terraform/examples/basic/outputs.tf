output "distribution_domain_name" {
  value = module.edgeguard.distribution_domain_name
}

output "distribution_id" {
  value = module.edgeguard.distribution_id
}

output "behaviours" {
  value = module.edgeguard.behaviours
}
