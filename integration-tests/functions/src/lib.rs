//! End-to-end tests of the Lambda functions live in `tests/`; this library is empty.
