# Developer entry points. `make test` is what CI runs.
.PHONY: test fmt lint unit demo

test: fmt lint unit

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	cargo test --workspace

demo:
	cargo run -q -p latticectl -- plan -f examples/
