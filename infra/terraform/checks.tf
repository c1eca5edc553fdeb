# Warnings that do not stop a plan (Terraform `check` blocks). No provider is needed:
# test/test_module.py evaluates this file with variables.tf and routes.tf offline.

locals {
  # The secret of examples/config.json is public: it turns the keys in logs back into
  # subjects by guessing. Its base64 text is compared as its bytes are (either alphabet,
  # padded or not, spaces around), through a SHA-256 so the module holds no secret; the
  # test checks the digest against examples/config.json.
  published_secret_sha256 = "4e5cbb3c3a5d4faa78535a0ae224f0def26d1e302e95eec8330c3bff64957372"
  secret_base64           = replace(trimspace(try(local.config.cacheKey.secret, "")), "/=+$/", "")
  secret_sha256           = sha256(replace(replace(local.secret_base64, "-", "+"), "_", "/"))
}

check "cache_key_secret_is_not_the_published_one" {
  assert {
    condition     = local.secret_sha256 != local.published_secret_sha256
    error_message = "cacheKey.secret is the published one of examples/config.json: fine for local runs; make your own with `edgeguard keygen` before deploying."
  }
}
