# Developer entry points. `make test` is what CI runs.
.PHONY: test fmt lint unit python demo

PY := target/py/bin/python

test: fmt lint unit python

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	cargo test --workspace

# lattice-sim checked by independent clients: boto3 and the aws CLI.
python:
	cargo build -q -p lattice-sim
	test -x $(PY) || python3 -m venv --system-site-packages target/py
	$(PY) -c "import pytest, boto3" 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check pytest boto3
	command -v aws >/dev/null || $(PY) -m pip install -q --disable-pip-version-check awscli
	PATH="$(CURDIR)/target/py/bin:$$PATH" LATTICE_SIM_BIN=target/debug/lattice-sim $(PY) -m pytest -q shared/lattice-sim/tests/python

demo:
	cargo run -q -p latticectl -- apply -f examples/
