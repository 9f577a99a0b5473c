#!/usr/bin/env bash
# The simulator (issue F part 4): builds the benchmarks (Release) and runs `simulate` with the given arguments, under
# GC settings that suit one thread and a multi-gigabyte heap of long-lived nodes:
#   DOTNET_gcServer=0        workstation GC: the simulation runs on one thread, server GC's per-core heaps only add memory
#   DOTNET_gcConcurrent=0    no background GC thread competing for the cores and holding a second allocation budget
#   DOTNET_GCgen0size        a 64 MB gen0 budget: far fewer collections of a heap that is almost all old nodes
# Usage: tests/benchmarks/run-simulator.sh [--nodes N] [--churn PERCENT_PER_MIN] [--minutes M] [--records R]
#                                          [--seed S] [--join-rate J] [--settle-max SECONDS] [--real-dh] [--diagnose]
# Prints the simulator's lines, then the process's peak RSS and CPU time. Figures depend on the machine and its load.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! dotnet build tests/benchmarks/Brunet.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed" >&2
  exit 1
fi
export DOTNET_gcServer=0 DOTNET_gcConcurrent=0 DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000}
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
/usr/bin/time -f '%M %U %S %e' -o "$stats" artifacts/bin/Brunet.Benchmarks/release/Brunet.Benchmarks simulate "$@"
status=$?
read -r peak_kb user sys wall <"$stats"
awk -v k="$peak_kb" -v u="$user" -v s="$sys" -v w="$wall" \
  'BEGIN { printf "process: peak RSS %.0f MB, CPU %.0f s (user %.0f, system %.0f), wall %.0f s\n", k / 1024, u + s, u, s, w }'
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
