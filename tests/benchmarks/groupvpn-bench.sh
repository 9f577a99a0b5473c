#!/usr/bin/env bash
# GroupVPN figures in the namespace lab (root): `groupvpn run` -> lease, first ping -> direct edge, ping RTT over the
# VPN and over the raw link, TAP-to-TAP iperf3 throughput. Uses the built artifacts (dotnet build -c Release first).
#   tests/benchmarks/groupvpn-bench.sh [BOOTSTRAP_NODES]   (default 16, so that the two hosts are rarely ring neighbours)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lab="$root/tests/lab"
boot_nodes="${1:-16}"
groupvpn="$root/artifacts/bin/Ipop.Dht/release/groupvpn.dll"
bootstrap="$root/artifacts/bin/bootstrap/release/run_bootstrap_node.dll"
for f in "$groupvpn" "$bootstrap"; do
  [ -f "$f" ] || { echo "bench: $f is missing: run 'dotnet build -c Release Brunet.sln' first" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, TAP)" >&2; exit 2; }

suffix="b$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
dir="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  bash "$lab/gv-lab.sh" down "$suffix" 2
  rm -rf "$dir"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
in_ns() { local ns="gv-$1-$suffix"; shift; ip netns exec "$ns" "$@"; }

bash "$lab/gv-lab.sh" up "$suffix" 2
bash "$lab/gv-lab.sh" configs "$suffix" 2 "$dir"
# Started with ip netns exec directly (not through a function), so $! is the node's own PID (ip execs it).
ip netns exec "gv-boot-$suffix" dotnet "$bootstrap" "$dir/boot/boot.config" -n "$boot_nodes" >"$dir/boot.log" 2>&1 &
pids+=($!)
until grep -qs "node 0 joined" "$dir/boot.log"; do sleep 0.1; done
sleep 3   # let the bootstrap ring settle

declare -A vip
for h in h1 h2; do
  start=$(now)
  ip netns exec "gv-$h-$suffix" dotnet "$groupvpn" run --etc "$dir/$h" >"$dir/$h.log" 2>&1 &
  pids+=($!)
  until in_ns "$h" ip link show tapipop >/dev/null 2>&1; do sleep 0.02; done
  in_ns "$h" busybox udhcpc -i tapipop -n -q -t 10 -T 1 -s "$lab/udhcpc.script" >"$dir/$h.dhcp" 2>&1
  vip[$h]=$(sed -n 's/^lease \([0-9.]*\)\/.*/\1/p' "$dir/$h.dhcp")
  printf 'groupvpn run -> lease (%s): %.2f s  (%s; goal <= 3 s)\n' "$h" "$(since "$start")" "${vip[$h]}"
done
h2_node=$(sed -n 's/.*<NodeAddress>\(.*\)<\/NodeAddress>.*/\1/p' "$dir/h2/node.config")
linked() { in_ns h1 bash "$lab/http-get.sh" 10001 /api/linkstatus | grep -q "\"address\":\"$h2_node\""; }

sleep 2
if linked; then
  echo "first ping -> direct edge: h1 and h2 are ring neighbours already (direct from the start)"
else
  start=$(now)
  in_ns h1 ping -c 1 -W 2 "${vip[h2]}" >/dev/null || true
  until linked; do
    sleep 0.02
    if [ "$(echo "$(since "$start") > 10" | bc)" = 1 ]; then echo "first ping -> direct edge: none within 10 s"; break; fi
  done
  linked && printf 'first ping -> direct edge: %.2f s  (goal <= 1 s)\n' "$(since "$start")"
fi

vpn_rtt=$(in_ns h1 ping -q -c 50 -i 0.02 -W 2 "${vip[h2]}" | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
raw_rtt=$(in_ns h1 ping -q -c 50 -i 0.02 -W 2 198.18.0.12 | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
echo "ping RTT avg: VPN ${vpn_rtt} ms, raw link ${raw_rtt} ms"

if command -v iperf3 >/dev/null; then
  throughput() {   # $1 = server address inside h2
    ip netns exec "gv-h2-$suffix" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    local server=$!
    sleep 0.5
    in_ns h1 iperf3 -c "$1" -p 5201 -t 5 -f m 2>&1 | awk '/receiver/ {print $7, $8}'
    wait "$server" 2>/dev/null || true
  }
  echo "iperf3 TAP-to-TAP (TCP, 5 s): $(throughput "${vip[h2]}")"
  echo "iperf3 raw link (TCP, 5 s): $(throughput 198.18.0.12)"
else
  echo "iperf3: not installed"
fi
