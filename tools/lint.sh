#!/usr/bin/env bash
# Lints the C++ a change touches: the lines changed since BASE (default: the previous commit,
# HEAD~1; uncommitted edits count too) in *.cpp / *.hpp / *.h files.
#   - clang-format (.clang-format) on the changed lines: `git clang-format --diff`, so a file
#     written before .clang-format existed is not reformatted wholesale;
#   - clang-tidy (.clang-tidy: bugprone-*, performance-*, function size), keeping the
#     diagnostics on changed lines (clang-tidy-diff), with the compile commands of BUILD_DIR
#     (default build/, written by tools/build.sh or any preset's configure).
# Exit 0 when both are clean (or there is nothing to lint), 1 when either reports something,
# 2 on a usage error. CI runs it (.ci/run).
#
# Usage: tools/lint.sh [BASE] [--whole-files]
#   --whole-files   check every line of the changed files (clang-format --dry-run, clang-tidy on
#                   the whole file): a report for cleaning a file up, not what CI requires.
# Debian 12: clang-format, clang-tidy (tools/install_deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

base="" whole=0
for arg in "$@"; do
  case "$arg" in
    --whole-files) whole=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: tools/lint.sh: unknown option '$arg' (tools/lint.sh --help)" >&2; exit 2 ;;
    *) [ -z "$base" ] || { echo "error: tools/lint.sh: one BASE only, got '$base' and '$arg'" >&2; exit 2; }
       base="$arg" ;;
  esac
done
build_dir="${BUILD_DIR:-build}"

for tool in clang-format clang-tidy git-clang-format clang-tidy-diff; do
  command -v "$tool" >/dev/null || { echo "error: tools/lint.sh: $tool not found (tools/install_deps.sh installs it)" >&2; exit 2; }
done

shallow=$(git rev-parse --is-shallow-repository)
if [ -z "$base" ]; then
  if git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
    base=HEAD~1
  elif [ "$shallow" = true ]; then
    echo "lint: HEAD's parent is not in this shallow clone, so there is no change to lint (git fetch --deepen=1, or name a BASE this clone has)" >&2
    exit 0
  else   # the root commit: every line is new (compared with the empty tree), so whole files
    base=$(git hash-object -t tree /dev/null) whole=1
    echo "lint: HEAD is the root commit: every line of its C++ files is checked" >&2
  fi
elif ! git rev-parse -q --verify "$base^{commit}" >/dev/null && ! git rev-parse -q --verify "$base^{tree}" >/dev/null; then
  if [ "$shallow" = true ]; then
    echo "lint: '$base' is not in this shallow clone, so there is no change to lint (git fetch --deepen=N or --unshallow)" >&2
    exit 0
  fi
  echo "error: tools/lint.sh: '$base' is not a commit of this repository" >&2
  exit 2
fi

mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$base" -- '*.cpp' '*.hpp' '*.h')
if [ ${#files[@]} -eq 0 ]; then
  echo "lint: no C++ file changed since $base" >&2
  exit 0
fi
echo "lint: ${#files[@]} C++ file(s) changed since $base$([ "$whole" = 1 ] && echo ', every line')" >&2
status=0

# clang-format
if [ "$whole" = 1 ]; then
  clang-format --dry-run "${files[@]}" 2>"${TMPDIR:-/tmp}/lint-format.$$" || true
  format_out=$(cat "${TMPDIR:-/tmp}/lint-format.$$"); rm -f "${TMPDIR:-/tmp}/lint-format.$$"
else
  format_out=$(git clang-format --diff "$base" -- "${files[@]}" 2>&1 || true)
  case "$format_out" in
    "no modified files to format"*|"clang-format did not modify any files"*) format_out="" ;;
  esac
fi
if [ -n "$format_out" ]; then
  printf '%s\n' "$format_out"
  if [ "$whole" = 1 ]; then
    echo "lint: clang-format would change the lines above (apply: clang-format -i FILE)" >&2
  else
    echo "lint: clang-format would change the lines above (apply: git clang-format $base)" >&2
  fi
  status=1
else
  echo "lint: clang-format: clean" >&2
fi

# clang-tidy
if [ ! -f "$build_dir/compile_commands.json" ]; then
  echo "error: tools/lint.sh: no $build_dir/compile_commands.json (configure first: tools/build.sh or cmake --preset ci)" >&2
  exit 2
fi
jobs=$(nproc)
# A test's fixture compiled only in a copy of the tree (tests/recipe/*/: a toy agent placed in the
# copy's agents/) has no compile command here: clang-format checks it, clang-tidy cannot.
tidy_files=()
for f in "${files[@]}"; do case "$f" in tests/recipe/*) ;; *) tidy_files+=("$f") ;; esac; done
if [ ${#tidy_files[@]} -eq 0 ]; then
  tidy_out=""
elif [ "$whole" = 1 ]; then
  tidy_out=$(printf '%s\n' "${tidy_files[@]}" | xargs -P "$jobs" -n 1 clang-tidy --quiet -p "$build_dir" 2>/dev/null || true)
else
  tidy_out=$(git diff -U0 "$base" -- "${tidy_files[@]}" |
             clang-tidy-diff -p1 -path "$build_dir" -quiet -j "$jobs" 2>/dev/null || true)
fi
tidy_out=$(printf '%s\n' "$tidy_out" | grep -v -e '^No relevant changes found' -e '^[0-9]* warnings\? generated' || true)
if printf '%s\n' "$tidy_out" | grep -q -E ': (warning|error): '; then
  printf '%s\n' "$tidy_out"
  echo "lint: clang-tidy reports $(printf '%s\n' "$tidy_out" | grep -c -E ': (warning|error): ') problem(s) above" >&2
  status=1
else
  echo "lint: clang-tidy: clean" >&2
fi
exit $status
