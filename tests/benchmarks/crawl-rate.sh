#!/usr/bin/env bash
# Crawl rate (issue E): runs bin/run_bootstrap_node with 64 and then 512 nodes, waits until a crawl sees every
# node and consistency 1.0, then times 3 crawls and prints nodes per second. Goal: >= 100 nodes/s.
# Usage: tests/benchmarks/crawl-rate.sh [SIZES...]     (default: 64 512)
# Environment: BASE_PORT (default 47300; each size uses the next two ports), WAIT (seconds to converge, default 300).
set -uo pipefail
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(64 512)
base=${BASE_PORT:-47300}
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap-common.sh"

for n in "${sizes[@]}"; do
  edge_port=$base; control_port=$((base + 1)); base=$((base + 2))
  dir="$work/$n"
  start_bootstrap "$n" "$edge_port" "$control_port" "$dir"
  wait_converged "$n" "$control_port" "$dir" '\r'
  echo
  if [ -z "$converged" ]; then
    echo "  did not converge within ${wait_limit}s (last: ${total:-?} nodes, consistency ${consistency:-?})"
  else
    echo "  converged after $converged s"
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
