# edgeguard — `make demo` and `make test` do everything on a fresh machine (setup included).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# npm's wasm-opt (binaryen 132) first: Debian's binaryen 108 writes modules that fail at load.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never

CONFIG ?= examples/config.json
DIST ?= dist
PKG := target/wasm-pkg
WASM_PACK_VERSION := 0.15.1
# wasm-bindgen-cli must equal the wasm-bindgen crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
# `lint`'s dependency policy (deny.toml); built from crates.io by `lint` only (~2 min, once).
CARGO_DENY_VERSION := 0.20.2
# What `lint` runs: `cargo fmt` and `cargo clippy`, as cargo finds them.
HAVE_FMT_AND_CLIPPY := cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1

.PHONY: help setup tools deny-tool build wasm bundle cli test test-rust test-wasm test-node lint fmt demo replay bench clean

help:
	@echo "make demo      install what is missing, build, run the demo (ARGS=--serve to keep it up)"
	@echo "make replay    replay sample events through the bundle, trigger by trigger"
	@echo "make bench     speed, cold start, size and memory against aws-jwt-verify (on this machine's node and on Lambda's Node 22)"
	@echo "make lambda-node  install the Node that Lambda@Edge runs the handler on (tests/lambda-node; Linux x64)"
	@echo "make test      install what is missing, run every test"
	@echo "make bundle CONFIG=path/to/config.json   -> $(DIST)/lambda/ and $(DIST)/edgeguard-lambda.zip"
	@echo "make lint      rustfmt + clippy (host and wasm32) + cargo deny (licences, sources, duplicates)"
	@echo "make cli       the native edgeguard CLI -> target/release/edgeguard (check-config, keygen)"
	@echo "make synth     cdk synth of infra/cdk's example app (after make infra-setup)"
	@echo "make infra-test  CDK (cfn-lint, node --test) and Terraform (fmt, checkov, tests)"
	@echo "make clean     remove $(DIST)/ and the WebAssembly package"

## setup: idempotent; installs only what is missing (the fragments in mk/ add theirs).
setup: tools infra-setup bench-setup lambda-node

tools: node_modules/.package-lock.json
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@wasm-pack --version 2>/dev/null | grep -q "$(WASM_PACK_VERSION)" \
	  || cargo install wasm-pack --version $(WASM_PACK_VERSION) --locked
	@# No --locked: the lockfile pins a webpki-roots release the registry no longer serves.
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@$(HAVE_FMT_AND_CLIPPY) || rustup component add rustfmt clippy
	@# rustup-init puts a link per tool beside cargo; without them, adding a component is not enough.
	@$(HAVE_FMT_AND_CLIPPY) \
	  || { echo "cannot run cargo fmt or cargo clippy although rustup has both: its cargo-fmt and cargo-clippy links are missing from PATH (running rustup-init again restores them)" >&2; exit 1; }

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## build: the WebAssembly core and the native CLI.
build: wasm cli

# The bundle is built without `rust-crypto`: node:crypto checks RSA/ECDSA/Ed25519 signatures.
# `--log-level warn`: its info lines (a missing `repository`) are not ours to act on per build.
# Panic messages name their source files: crates' paths are written from /cargo rather than
# this machine's cargo home, so the module holds no local path and builds the same anywhere.
# `--config` adds this flag to .cargo/config.toml's (cargo joins the lists; RUSTFLAGS would replace them).
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
wasm: tools
	wasm-pack --log-level warn build --target nodejs --release --mode no-install --out-dir $(PKG) --out-name edgeguard \
	  -- --no-default-features --config 'target.wasm32-unknown-unknown.rustflags=["--remap-path-prefix=$(CARGO_HOME_DIR)=/cargo"]'

cli:
	cargo build --release --features cli --bin edgeguard

bundle: wasm
	node js-shim/bundle.js --config "$(CONFIG)" --pkg "$(PKG)" --out "$(DIST)"

## test: everything, offline once set up.
test: setup lint test-rust test-wasm test-node infra-test emulator-test bench-smoke

test-rust:
	cargo test --all-features

test-wasm: tools
	wasm-pack test --node --mode no-install -- --no-default-features --test wasm_boundary

# On this machine's node, then on the Node that Lambda@Edge runs (mk/lambda-node.mk), which
# also checks that it is the major infra/ deploys.
NODE_TEST_FILES = $(sort $(wildcard js-shim/test/*.test.js tests/vectors/*.test.mjs))
test-node: bundle lambda-node
	node --test $(NODE_TEST_FILES)
	@$(call on_lambda_node,EDGEGUARD_LAMBDA_NODE=1 $(LAMBDA_NODE) --test $(NODE_TEST_FILES))

# Not part of `tools`: `make demo` has no use for it.
deny-tool:
	@cargo deny --version 2>/dev/null | grep -q "$(CARGO_DENY_VERSION)" \
	  || cargo install cargo-deny --version $(CARGO_DENY_VERSION) --locked

# `cargo deny` without `advisories`: its database is fetched from GitHub (README, "Dependencies").
lint: tools deny-tool
	cargo fmt --check
	cargo clippy --all-targets --all-features -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	cargo deny check bans licenses sources

fmt:
	cargo fmt

## demo: the seed article's timeline against three distributions on a local CloudFront
## emulator (make demo ARGS=--serve keeps it running); `make replay` shows each trigger.
# Only what the demo runs: the bundle's tools (no infra or bench installs, no PyPI).
demo: bundle
	$(MAKE) --no-print-directory emulator-demo

replay: bundle
	node examples/replay/run.js

clean:
	rm -rf "$(DIST)" "$(PKG)"

-include mk/*.mk
