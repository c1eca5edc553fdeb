# Local CloudFront emulator, `make demo`, and the end-to-end leak tests (issue 4).
# Included by the top-level Makefile, which builds dist/lambda (`bundle`) first.
# Node >= 20, no npm packages (but mk/lambda-node.mk's pinned Node for the tests' second run). Everything listens on 127.0.0.1 only.
#
#   make emulator-test    emulator unit tests + end-to-end tests (node --test)
#   make emulator-demo    the timeline demo; ARGS=--serve keeps it running for curl
#
# Knobs (environment): EDGEGUARD_BUNDLE=DIR runs another bundle than dist/lambda;
# E2E_REQUESTS_PER_USER (default 2000) and E2E_NAIVE_REQUESTS_PER_USER (default 200)
# size the load test.

EMULATOR_NODE ?= node
EMULATOR_TEST_FILES := $(sort $(wildcard emulator/test/*.test.js))
E2E_TEST_FILES := $(sort $(wildcard tests/e2e/*.test.js))

.PHONY: emulator-test emulator-demo

# Files run one after another so that the load test has the machine to itself. On the node
# that runs the demo, then on the Node that Lambda@Edge runs the handler on (mk/lambda-node.mk).
EMULATOR_TEST_ARGS := --test --test-reporter=spec --test-concurrency=1 $(EMULATOR_TEST_FILES) $(E2E_TEST_FILES)
emulator-test: lambda-node
	$(EMULATOR_NODE) $(EMULATOR_TEST_ARGS)
	@$(call on_lambda_node,$(LAMBDA_NODE) $(EMULATOR_TEST_ARGS))

emulator-demo:
	$(EMULATOR_NODE) examples/demo/run.js $(ARGS)
