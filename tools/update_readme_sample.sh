#!/usr/bin/env bash
# Writes the default run's summary into README.md's sample block (under "Quick start"), after a
# change of the model's output. Runs build/tools/stampede as the README's command 1 does (build
# first). Keeps the README's wall-time and checkpoints lines; --timings takes them from this run
# too (do that on a quiet machine). The test "docs: test_readme_sample.py" checks the block.
# Usage: tools/update_readme_sample.sh [--timings] [--stampede PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 tools/readme_sample.py update "$@"
