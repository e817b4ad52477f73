# Developer entry points. `make test` is what CI runs.
.PHONY: test deps fmt lint unit reliability python infra demo

# Build output; follows CARGO_TARGET_DIR when it is set.
TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
PY := $(TARGET)/py/bin/python

test: deps fmt lint infra unit reliability python

# Tools some tests drive: the aws CLI and faketime (EKS token comparison), pytest and boto3,
# moto's server (a local SQS for the functions' end-to-end tests).
deps:
	test -x $(PY) || python3 -m venv --system-site-packages $(TARGET)/py
	$(PY) -c "import pytest, boto3" 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check pytest boto3
	command -v aws >/dev/null || $(PY) -m pip install -q --disable-pip-version-check awscli
	command -v moto_server >/dev/null || $(PY) -m pip install -q --disable-pip-version-check 'moto[server]'
	command -v faketime >/dev/null || (apt-get update -qq && apt-get install -y -qq faketime >/dev/null)

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

unit: deps
	rm -rf $(TARGET)/reliability
	PATH="$(TARGET)/py/bin:$$PATH" RELIABILITY_OUT=$(TARGET)/reliability cargo test --workspace

# The reliability and security suite's table, from the records of the `unit` run (every scenario
# is a test named reliability_…; `cargo run -p reliability` runs just those and prints the same).
reliability:
	cargo run -q -p reliability -- --records $(TARGET)/reliability

# lattice-sim checked by independent clients: boto3 and the aws CLI.
python: deps
	cargo build -q -p lattice-sim
	PATH="$(TARGET)/py/bin:$$PATH" LATTICE_SIM_BIN=$(TARGET)/debug/lattice-sim $(PY) -m pytest -q shared/lattice-sim/tests/python

# Deployment definitions: template.yaml linted and validated by cfn-lint and the SAM CLI (no AWS
# account needed; the region and keys are placeholders), then the CDK app in infra/ (npm ci,
# typecheck, assertion and SAM/CDK parity tests, synth on placeholder assets), whose output is
# linted too (W3005 off: the CDK adds a DependsOn that a GetAtt already implies).
infra: deps
	test -x $(TARGET)/py/bin/cfn-lint -a -x $(TARGET)/py/bin/sam || $(PY) -m pip install -q --disable-pip-version-check cfn-lint==1.58.0 aws-sam-cli==1.170.0
	$(TARGET)/py/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(TARGET)/py/bin/sam validate --lint -t template.yaml
	env -u AWS_PROFILE SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-west-2 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
		$(TARGET)/py/bin/sam validate -t template.yaml
	infra/check.sh
	$(TARGET)/py/bin/cfn-lint --ignore-checks W3005 -- infra/cdk.out/*.template.json

demo:
	cargo run -q -p latticectl -- apply -f examples/
