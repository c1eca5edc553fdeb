# bench/: our handler against aws-jwt-verify and jose on the same tokens (issue 3).
# Included by the top-level Makefile, which defines `bundle`, DIST and PATH.
#
#   make bench-setup   npm ci in bench/ (only when node_modules is missing or the lock changed)
#   make bench         full run (about a minute): prints the tables, writes $(DIST)/bench.json
#   make bench-smoke   tiny counts, same code paths, no timing checks; writes $(DIST)/bench-smoke.json
#
# --expose-gc lets the memory run collect garbage before each RSS sample.

DIST ?= dist
BENCH_DIR  := bench
BENCH_NODE := node --expose-gc $(BENCH_DIR)/bench.js --dist "$(DIST)" --pkg "$(PKG)"

.PHONY: bench-setup bench bench-smoke

bench-setup: $(BENCH_DIR)/node_modules/.package-lock.json

# npm ci rewrites node_modules/.package-lock.json; touch makes its time stamp the install's.
$(BENCH_DIR)/node_modules/.package-lock.json: $(BENCH_DIR)/package.json $(BENCH_DIR)/package-lock.json
	cd $(BENCH_DIR) && npm ci --no-audit --no-fund
	touch $@

bench: bundle bench-setup
	$(BENCH_NODE) --out "$(DIST)/bench.json"

bench-smoke: bundle bench-setup
	$(BENCH_NODE) --smoke
