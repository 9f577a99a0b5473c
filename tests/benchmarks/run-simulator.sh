#!/usr/bin/env bash
# The simulator (issue F part 4): builds the benchmarks (Release) and runs `simulate` with the given arguments, under
# GC settings that suit one thread and a multi-gigabyte heap of long-lived nodes:
#   DOTNET_gcServer=1 DOTNET_GCHeapCount=2   server GC with two heaps: the simulation runs on one thread, so the GC can
#                                            use the other core (10,000 nodes: CPU 350 -> 335 s, GC pauses 80 -> 48 s,
#                                            peak RSS +12 % against workstation non-concurrent with a 64 MB gen0)
#   DOTNET_GCNoAffinitize=1                  the cores are shared: GC threads are not pinned to one
#   DOTNET_gcConcurrent=0                    no background GC thread holding a second allocation budget
# Each can be overridden from the environment (DOTNET_gcServer=0 for workstation GC).
# Usage: tests/benchmarks/run-simulator.sh [--nodes N] [--churn PERCENT_PER_MIN] [--minutes M] [--records R]
#                                          [--seed S] [--join-rate J] [--settle-max SECONDS] [--real-dh] [--diagnose]
# Prints the simulator's lines, then the process's peak RSS and CPU time. Figures depend on the machine and its load.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! dotnet build tests/benchmarks/Brunet.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed" >&2
  exit 1
fi
export DOTNET_gcServer=${DOTNET_gcServer:-1} DOTNET_GCHeapCount=${DOTNET_GCHeapCount:-2} DOTNET_GCNoAffinitize=${DOTNET_GCNoAffinitize:-1} \
  DOTNET_gcConcurrent=${DOTNET_gcConcurrent:-0}
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
/usr/bin/time -f '%M %U %S %e' -o "$stats" artifacts/bin/Brunet.Benchmarks/release/Brunet.Benchmarks simulate "$@"
status=$?
read -r peak_kb user sys wall <"$stats"
awk -v k="$peak_kb" -v u="$user" -v s="$sys" -v w="$wall" \
  'BEGIN { printf "process: peak RSS %.0f MB, CPU %.0f s (user %.0f, system %.0f), wall %.0f s\n", k / 1024, u + s, u, s, w }'
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
