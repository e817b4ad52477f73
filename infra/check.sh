#!/usr/bin/env bash
# Install, typecheck, test and synthesize the CDK app (offline apart from the npm registry).
# Synthesis uses placeholder Lambda assets; deploy after `cargo lambda build --release --arm64`.
set -euo pipefail
export CDK_DISABLE_CLI_TELEMETRY=1
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent typecheck
npm test
npm run --silent synth
echo "infra: typecheck, tests and synth passed"
