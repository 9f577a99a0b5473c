#!/usr/bin/env bash
# Builds the solution (Release) and runs every test project; prints per-project results and a total line
# "tests: N passed, M failed". Root-only tests (TAP, network namespaces) skip with a reason when not root,
# and fail instead when CI is set.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! dotnet build Brunet.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "tests: 0 passed, 1 failed"
  exit 1
fi
results=$(mktemp -d)
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=minimal" || status=1
done
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(( ${t:-0} - ${e:-0} ))   # skipped (Assert.Ignore) tests are counted as not executed
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
rm -rf "$results"
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
