#!/usr/bin/env bash
# Crawl rate (issue E): runs bin/run_bootstrap_node with 64 and then 512 nodes, waits until a crawl sees every
# node and consistency 1.0, then times 3 crawls and prints nodes per second. Goal: >= 100 nodes/s.
# Usage: tests/benchmarks/crawl-rate.sh [SIZES...]     (default: 64 512)
# Environment: BASE_PORT (default 47300; each size uses the next two ports), WAIT (seconds to converge, default 300).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(64 512)
base=${BASE_PORT:-47300}
wait_limit=${WAIT:-300}
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build once up front, so the first timed crawl does not include a build.
"$root/bin/crawl" --help >/dev/null || exit 2

field() { sed -n "s/^$1: //p" <<<"$2"; }

for n in "${sizes[@]}"; do
  edge_port=$base; control_port=$((base + 1)); base=$((base + 2))
  dir="$work/$n"; mkdir -p "$dir"
  sed -e "s/40000/$edge_port/g" -e "s#<Port>10000</Port>#<Port>$control_port</Port>#" \
      -e "s#<KeyPath>[^<]*</KeyPath>#<KeyPath>$dir/bootstrap.key</KeyPath>#" \
      "$root/configs/bootstrap.config" >"$dir/bootstrap.config"
  "$root/bin/run_bootstrap_node" "$dir/bootstrap.config" -n "$n" >"$dir/run.log" 2>&1 &
  pid=$!
  echo "== $n nodes (pid $pid, control 127.0.0.1:$control_port)"
  start=$SECONDS; converged=""
  while [ $((SECONDS - start)) -lt "$wait_limit" ]; do
    sleep 2
    kill -0 "$pid" 2>/dev/null || { echo "run_bootstrap_node exited; see its log:"; tail -5 "$dir/run.log"; exit 1; }
    out=$("$root/bin/crawl" --node "127.0.0.1:$control_port" --timeout 60 2>/dev/null) || true
    total=$(field "Total Nodes" "$out"); consistency=$(field "Consistency" "$out")
    printf '  %4ss: %s nodes, consistency %s\r' $((SECONDS - start)) "${total:-?}" "${consistency:-?}"
    if [ "${total:-0}" = "$n" ] && [ "$consistency" = "1.0" ]; then converged=1; break; fi
  done
  echo
  if [ -z "$converged" ]; then
    echo "  did not converge within ${wait_limit}s (last: ${total:-?} nodes, consistency ${consistency:-?})"
  else
    echo "  converged after $((SECONDS - start)) s"
  fi
  for run in 1 2 3; do
    t0=$(date +%s.%N)
    out=$("$root/bin/crawl" --node "127.0.0.1:$control_port" --timeout 120 2>/dev/null)
    t1=$(date +%s.%N)
    total=$(field "Total Nodes" "$out"); took=$(field "Crawl took" "$out")
    awk -v n="$total" -v t="$took" -v w="$(echo "$t1 - $t0" | bc)" -v c="$(field Consistency "$out")" -v r="$run" \
      'BEGIN { printf "  crawl %d: %d nodes in %.3f s (%.3f s with process start), consistency %s: %.0f nodes/s\n", r, n, t, w, c, n / t }'
  done
  kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=""
done
