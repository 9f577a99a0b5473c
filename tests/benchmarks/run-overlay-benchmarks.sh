#!/usr/bin/env bash
# Builds the overlay benchmarks (Release) and runs them: ring scale over UDP loopback at 16, 128 and 512 nodes
# (default NodeOptions), Noise XX handshakes per second, and routed RPC pings on a 64-node simulated ring.
# Prints each run's raw lines, then a summary table. Figures depend on the machine: note its cores and load.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! dotnet build tests/benchmarks/Brunet.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed" >&2
  exit 1
fi
bench=artifacts/bin/Brunet.Benchmarks/release/Brunet.Benchmarks
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in ${SCALE_SIZES:-16 128 512}; do
  echo "== scale $n"
  timeout 300 "$bench" scale "$n" | tee "$out/scale-$n.txt"
done
echo "== handshakes"
timeout 120 "$bench" handshakes | tee "$out/handshakes.txt"
echo "== routing"
timeout 600 "$bench" routing | tee "$out/routing.txt"

field() { sed -n "s/^$2: //p" "$1" | head -n 1; }
echo
echo "machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %-10s %-13s %-11s %-9s %-12s %-10s\n' nodes converged convergence_s consistency rss_mb rss/node_kb links/node
for n in ${SCALE_SIZES:-16 128 512}; do
  f="$out/scale-$n.txt"
  printf '%-7s %-10s %-13s %-11s %-9s %-12s %-10s\n' "$n" "$(field "$f" converged)" "$(field "$f" convergence_s)" \
    "$(field "$f" consistency)" "$(field "$f" rss_mb)" "$(field "$f" rss_per_node_kb)" "$(field "$f" links_per_node)"
done
echo "handshakes/s: $(field "$out/handshakes.txt" handshakes_per_s) ($(field "$out/handshakes.txt" handshake_ms) ms each, one thread)"
echo "routing (64 nodes, virtual time, one thread): $(field "$out/routing.txt" routing_pings_per_s) pings/s," \
  "$(field "$out/routing.txt" routing_messages_per_s) routed messages/s, mean $(field "$out/routing.txt" routing_mean_hops) hops"
