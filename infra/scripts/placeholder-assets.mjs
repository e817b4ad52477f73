// Placeholder `bootstrap` files so `cdk synth` and the tests run without a Rust build.
// Prints the directory; deploy with the real `target/lambda` from `cargo lambda build`.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function placeholderLambdaDir(dir = path.join(import.meta.dirname, '..', '.placeholder-lambda')) {
  for (const bin of ['sweep', 'audit', 'reconcile', 'webhook']) {
    fs.mkdirSync(path.join(dir, bin), { recursive: true });
    fs.writeFileSync(path.join(dir, bin, 'bootstrap'), '#!/bin/sh\necho placeholder >&2\nexit 1\n', { mode: 0o755 });
  }
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(placeholderLambdaDir());
}
