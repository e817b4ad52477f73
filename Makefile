# Developer entry points. `make test` is what CI runs.
.PHONY: test deps fmt lint unit python demo

PY := target/py/bin/python

test: deps fmt lint unit python

# Tools some tests drive: the aws CLI and faketime (EKS token comparison), pytest and boto3.
deps:
	test -x $(PY) || python3 -m venv --system-site-packages target/py
	$(PY) -c "import pytest, boto3" 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check pytest boto3
	command -v aws >/dev/null || $(PY) -m pip install -q --disable-pip-version-check awscli
	command -v faketime >/dev/null || (apt-get update -qq && apt-get install -y -qq faketime >/dev/null)

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

unit: deps
	PATH="$(CURDIR)/target/py/bin:$$PATH" cargo test --workspace

# lattice-sim checked by independent clients: boto3 and the aws CLI.
python: deps
	cargo build -q -p lattice-sim
	PATH="$(CURDIR)/target/py/bin:$$PATH" LATTICE_SIM_BIN=target/debug/lattice-sim $(PY) -m pytest -q shared/lattice-sim/tests/python

demo:
	cargo run -q -p latticectl -- apply -f examples/
