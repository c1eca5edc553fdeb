# bench/: our handler against aws-jwt-verify and jose on the same tokens (issue 3).
# Included by the top-level Makefile, which defines `bundle`, DIST and PATH.
#
#   make bench-setup   npm ci in bench/ (only when node_modules is missing or the lock changed)
#   make bench         full runs (about a minute each): prints the tables, writes $(DIST)/bench.json
#   make bench-smoke   tiny counts, same code paths, no timing checks; writes $(DIST)/bench-smoke.json
#
# Each runs twice: on this machine's node (bench-machine-node.json, bench-smoke-machine-node.json),
# then on the Node that Lambda@Edge runs the handler on (mk/lambda-node.mk), whose run writes
# bench.json, the one the goals are judged on, and quotes the first run's ratios beside its own.
# Where that Node cannot be installed (not Linux x64), the machine's run writes bench.json.
#
# --expose-gc lets the memory run collect garbage before each RSS sample.

DIST ?= dist
BENCH_DIR  := bench
BENCH_ARGS := --expose-gc $(BENCH_DIR)/bench.js --dist "$(DIST)" --pkg "$(PKG)"

.PHONY: bench-setup bench bench-smoke

bench-setup: $(BENCH_DIR)/node_modules/.package-lock.json

# npm ci rewrites node_modules/.package-lock.json; touch makes its time stamp the install's.
$(BENCH_DIR)/node_modules/.package-lock.json: $(BENCH_DIR)/package.json $(BENCH_DIR)/package-lock.json
	cd $(BENCH_DIR) && npm ci --no-audit --no-fund
	touch $@

# $(call bench_on_both,FLAGS,NAME): NAME-machine-node.json from this machine's node, then NAME.json
# from the Lambda runtime's Node, quoting the first; NAME.json from the machine's alone without it.
bench_on_both = $(call on_lambda_node,\
	node $(BENCH_ARGS) $(1) --runtime machine --out "$(DIST)/$(2)-machine-node.json"; \
	$(LAMBDA_NODE) $(BENCH_ARGS) $(1) --runtime lambda --compare "$(DIST)/$(2)-machine-node.json" --out "$(DIST)/$(2).json",\
	node $(BENCH_ARGS) $(1) --runtime machine --out "$(DIST)/$(2).json")

bench: bundle bench-setup lambda-node
	@$(call bench_on_both,,bench)

bench-smoke: bundle bench-setup lambda-node
	@$(call bench_on_both,--smoke,bench-smoke)
