# infra/: the CDK construct and the Terraform module (issue 5).
# Included by the top-level Makefile, which defines `bundle` and CONFIG.
#
#   make infra-setup   once: npm ci in infra/cdk, the checkov, cfn-lint and hcl venvs
#   make synth         make bundle, then cdk synth of the example app into infra/cdk/cdk.out/
#   make infra-test    everything offline: synth, cfn-lint, checkov, terraform fmt,
#                      the python-hcl2/terraform module tests, the CDK node tests

CONFIG ?= examples/config.json

INFRA_CDK         := infra/cdk
INFRA_TF          := infra/terraform
INFRA_VENV_CHECK  := infra/.venv-checkov
INFRA_VENV_HCL    := infra/.venv-hcl
INFRA_VENV_CFNLINT := infra/.venv-cfnlint
# The zip `make bundle` writes; override to synth against another one.
EDGEGUARD_BUNDLE  ?= $(CURDIR)/dist/edgeguard-lambda.zip

INFRA_CHECKOV_VERSION := 3.3.30
INFRA_CFNLINT_VERSION := 1.51.0
INFRA_CHECKOV := $(INFRA_VENV_CHECK)/bin/checkov --compact --quiet --skip-download

# checkov skips a file it cannot parse and still passes ("Parsing errors: 1"): none of its
# checks ran on that file, so that fails here. $(1): checkov's arguments.
checkov_strict = out="$$($(INFRA_ENV) $(INFRA_CHECKOV) $(1) 2>&1)"; status=$$?; printf '%s\n' "$$out"; \
	if printf '%s' "$$out" | grep -q 'Parsing errors: [1-9]'; then \
	  echo "checkov could not parse a file (rerun without --quiet to see which): its checks did not run"; exit 1; fi; \
	exit $$status

# Offline and quiet: no version check, telemetry, update check or CLI config.
INFRA_ENV := CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true CHECKPOINT_DISABLE=1 \
	TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 PYTHONDONTWRITEBYTECODE=1

.PHONY: infra-setup synth infra-test infra-lint infra-tf-test infra-clean

infra-setup: $(INFRA_CDK)/node_modules/.package-lock.json
	test -x $(INFRA_VENV_CHECK)/bin/checkov || { python3 -m venv $(INFRA_VENV_CHECK) && \
		nice $(INFRA_VENV_CHECK)/bin/pip install -q checkov==$(INFRA_CHECKOV_VERSION); }
	test -x $(INFRA_VENV_HCL)/bin/pytest || { python3 -m venv $(INFRA_VENV_HCL) && \
		$(INFRA_VENV_HCL)/bin/pip install -q -r $(INFRA_TF)/test/requirements.txt; }
	@# A venv like the others: Debian's python3 refuses `pip install` outside one (PEP 668),
	@# and nothing is installed outside the repository.
	test -x $(INFRA_VENV_CFNLINT)/bin/cfn-lint || { python3 -m venv $(INFRA_VENV_CFNLINT) && \
		$(INFRA_VENV_CFNLINT)/bin/pip install -q cfn-lint==$(INFRA_CFNLINT_VERSION); }
	command -v terraform >/dev/null 2>&1 || echo "warning: terraform not found; infra-test needs it (fmt and the module tests; no provider is downloaded)"

# Synthesizes the example app against the real bundle and config; the
# construct checks that the config inside the zip has the same routes. The shell makes the
# paths absolute: $(abspath) would split a name with a space in it.
synth: bundle
	@test -x $(INFRA_CDK)/node_modules/.bin/cdk || { echo "infra/cdk has no node_modules: run make infra-setup"; exit 1; }
	rm -rf $(INFRA_CDK)/cdk.out
	absolute() { case "$$1" in /*) printf '%s' "$$1" ;; *) printf '%s/%s' "$(CURDIR)" "$$1" ;; esac; }; \
	bundle="$$(absolute "$(EDGEGUARD_BUNDLE)")" config="$$(absolute "$(CONFIG)")" && \
	cd $(INFRA_CDK) && $(INFRA_ENV) ./node_modules/.bin/cdk synth --no-notices -q \
		-c bundle="$$bundle" -c config="$$config"

infra-lint: synth
	$(INFRA_VENV_CFNLINT)/bin/cfn-lint -- $(INFRA_CDK)/cdk.out/*.template.json
	@$(call checkov_strict,-d $(INFRA_CDK)/cdk.out --framework cloudformation)
	@$(call checkov_strict,-d $(INFRA_TF) --framework terraform)
	@if command -v terraform >/dev/null 2>&1; then \
	  echo "terraform fmt -check -recursive $(INFRA_TF)"; $(INFRA_ENV) terraform fmt -check -recursive $(INFRA_TF); \
	else echo "SKIPPED: terraform is not installed (no registry serves it); terraform fmt did not run"; fi

infra-tf-test:
	@# -rs: a test skipped for want of terraform says so.
	$(INFRA_ENV) $(INFRA_VENV_HCL)/bin/python -m pytest -q -rs -p no:cacheprovider $(INFRA_TF)/test

# Runs synth once, then the linters and module tests, and the CDK tests last
# (tsc checks the type declarations; node's test runner prints the summary).
infra-test: synth infra-lint infra-tf-test
	cd $(INFRA_CDK) && ./node_modules/.bin/tsc -p .
	cd $(INFRA_CDK) && $(INFRA_ENV) node --test test/*.test.js

$(INFRA_CDK)/node_modules/.package-lock.json: $(INFRA_CDK)/package.json $(INFRA_CDK)/package-lock.json
	cd $(INFRA_CDK) && npm ci --no-audit --no-fund

infra-clean:
	rm -rf $(INFRA_CDK)/cdk.out
