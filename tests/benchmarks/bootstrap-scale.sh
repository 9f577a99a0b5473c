#!/usr/bin/env bash
# Many nodes per process (issue F part 3): runs bin/run_bootstrap_node with N nodes, waits until a crawl sees every
# node with consistency 1.0, lets the process rest, then prints the process RSS (VmRSS), RSS per node and the CPU
# it uses at rest over 30 s. Goal at 1000 nodes: consistent within 120 s, <= 1 MB RSS per node, < 1 core at rest.
# Usage: tests/benchmarks/bootstrap-scale.sh [N]     (default 1000)
# Environment: BASE_PORT (default 47400; uses this and the next port), WAIT (seconds to converge, default 300),
#              REST (seconds to wait after convergence before measuring, default 30).
set -uo pipefail
n=${1:-1000}
edge_port=${BASE_PORT:-47400}; control_port=$((edge_port + 1))
rest=${REST:-30}
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap-common.sh"
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start_bootstrap "$n" "$edge_port" "$control_port" "$work"
wait_converged "$n" "$control_port" "$work" '\n'
if [ -z "$converged" ]; then
  echo "converged: no (last: ${total:-?} nodes, consistency ${consistency:-?} after ${wait_limit} s)"
else
  echo "converged_s: $converged"
fi
echo "peak_rss_mb: $(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")"
sleep "$rest"
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks "$pid"); s0=$(date +%s.%N)
sleep 30
t1=$(cpu_ticks "$pid"); s1=$(date +%s.%N)
rss=$(rss_kb "$pid")
out=$("$root/bin/crawl" --node "127.0.0.1:$control_port" --timeout 60 2>/dev/null) || true
echo "rest_consistency: $(field Consistency "$out") ($(field "Total Nodes" "$out") nodes)"
echo "rss_mb: $((rss / 1024))"
echo "rss_per_node_kb: $((rss / n))"
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" 'BEGIN { printf "cpu_at_rest_cores: %.2f\n", (b - a) / hz / (s1 - s0) }'
echo "threads: $(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
