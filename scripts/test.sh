#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine as root: installs what is missing
# (scripts/setup.sh), then runs unit, integration and kubectl-compatibility tests, and the
# multi-host tests on a simulated three-host lab (test/lab/, network namespaces), with mocha.
# The local images are rebuilt from nothing on every run (a few seconds): an image left on
# this machine by earlier work must never hide one that no script builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --fresh-images
if [ $# -eq 0 ]; then set -- 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' 'test/lab/**/*.test.ts'; fi
exec npx mocha "$@"
