#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of the per-packet work: seal+open of one datagram, the routed header codec and the
# routing decision. The Allocated column must read "-" (zero bytes per operation). Pass BenchmarkDotNet arguments to
# narrow it, e.g. --filter '*SealAndOpen*'. Default: the short job, in process.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/benchmarks/Brunet.MicroBenchmarks -c Release -nologo -v quiet -clp:ErrorsOnly
exec artifacts/bin/Brunet.MicroBenchmarks/release/Brunet.MicroBenchmarks --inProcess --job short --filter "${FILTER:-*}" "$@"
