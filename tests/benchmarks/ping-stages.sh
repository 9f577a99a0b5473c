#!/usr/bin/env bash
# Where a ping's round trip goes over each VPN (root): runs tests/benchmarks/vpn-compare.sh once per system with
# tcpdump in both of its namespaces, then splits every echo into five stages by the capture timestamps:
#   A tun->veth    the request on A's TAP/TUN to its datagram leaving A's veth (the VPN's reader wakes, seals, sends)
#   B veth->tun    the datagram reaching B's veth to the request on B's TAP/TUN (B's receiver wakes, opens, writes)
#   B kernel       the request on B's TAP/TUN to the echo reply there (B's kernel answers)
#   B tun->veth    the reply on B's TAP/TUN to its datagram leaving B's veth
#   A veth->tun    the reply datagram reaching A's veth to the reply on A's TAP/TUN
# and prints the median and quartiles of each, in microseconds. The captures add their own delay to every system.
#
#   PINGS=60 SYSTEMS="groupvpn nebula" tests/benchmarks/ping-stages.sh
#
# Needs what vpn-compare.sh needs, plus tcpdump and python3. Environment variables of vpn-compare.sh (NS_PREFIX
# excepted) pass through. Leaves nothing behind but what vpn-compare.sh cleans itself.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
systems="${SYSTEMS:-groupvpn nebula}"
pings="${PINGS:-60}"
[ "$(id -u)" = 0 ] || { echo "ping-stages: needs root" >&2; exit 2; }
for tool in tcpdump python3; do
  command -v "$tool" >/dev/null || { echo "ping-stages: $tool is not installed" >&2; exit 2; }
done
work=$(mktemp -d)
prefix="ps$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
capture_pids=()
cleanup() {
  for pid in "${capture_pids[@]}"; do kill "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

capture() {   # capture TAG: waits for the run's two namespaces, captures in each until A's is gone
  local a="" b=""
  for _ in $(seq 600); do
    a=$(ip netns list | awk -v p="^$prefix-a-" '$1 ~ p { print $1; exit }')
    b=$(ip netns list | awk -v p="^$prefix-b-" '$1 ~ p { print $1; exit }')
    [ -n "$a" ] && [ -n "$b" ] && break
    sleep 0.1
  done
  [ -n "$a" ] && [ -n "$b" ] || return
  ip netns exec "$a" tcpdump -i any -y LINUX_SLL2 -s 128 -w "$work/$1-a.pcap" "icmp or (udp and less 300)" >/dev/null 2>&1 &
  local pa=$!
  ip netns exec "$b" tcpdump -i any -y LINUX_SLL2 -s 128 -w "$work/$1-b.pcap" "icmp or (udp and less 300)" >/dev/null 2>&1 &
  local pb=$!
  while ip netns list | grep -q "^$a\b"; do sleep 0.2; done
  kill "$pa" "$pb" 2>/dev/null
  wait "$pa" "$pb" 2>/dev/null
}

for system in $systems; do
  capture "$system" &
  capture_pids+=($!)
  PINGS="$pings" DURATION="${DURATION:-1}" STREAMS="${STREAMS:-1}" ONLY="$system" NS_PREFIX="$prefix" \
    "$root/tests/benchmarks/vpn-compare.sh" 2>&1 | grep "RTT median" | sed 's/^vpn-compare: //'
  wait "${capture_pids[-1]}" 2>/dev/null
done

python3 - "$work" $systems <<'EOF'
import re, statistics, subprocess, sys
from collections import Counter

def load(path):
    try:
        text = subprocess.run(["tcpdump", "-r", path, "-tt", "-n", "-e"], capture_output=True, text=True).stdout
    except OSError:
        return []
    events = []
    for line in text.splitlines():
        m = re.match(r"(\d+\.\d+) \S+\s+(In|Out)\s+ifindex (\d+)", line)
        if not m or m.group(3) == "1":          # loopback: the bootstrap node's traffic
            continue
        t, direction = float(m.group(1)), m.group(2)
        echo = re.search(r"ICMP echo (request|reply), id (\d+)", line)
        if echo:
            events.append((t, "req" if echo.group(1) == "request" else "rep", direction, int(echo.group(2))))
        elif "UDP" in line:
            events.append((t, "udp", direction, 0))
    return events

def stages(a, b):
    ids = Counter(e[3] for e in a if e[1] == "req" and e[2] == "Out")
    if not ids:
        return None
    pid = ids.most_common(1)[0][0]      # the measured pings: the longest run of one ping process
    s = {k: [] for k in ["A tun->veth", "B veth->tun", "B kernel", "B tun->veth", "A veth->tun", "total"]}
    for k, e in enumerate(b):
        if e[1] != "req" or e[3] != pid or e[2] != "In":
            continue
        before = [x for x in b[max(0, k - 20):k] if x[1] == "udp" and x[2] == "In" and e[0] - x[0] < 0.01]
        reply = next((x for x in b[k + 1:k + 20] if x[1] == "rep" and x[2] == "Out"), None)
        if not before or not reply:
            continue
        out = next((x for x in b[k + 1:k + 40] if x[1] == "udp" and x[2] == "Out" and x[0] >= reply[0]), None)
        if out:
            s["B veth->tun"].append(e[0] - before[-1][0])
            s["B kernel"].append(reply[0] - e[0])
            s["B tun->veth"].append(out[0] - reply[0])
    for k, e in enumerate(a):
        if e[1] != "req" or e[3] != pid or e[2] != "Out":
            continue
        out = next((x for x in a[k + 1:k + 20] if x[1] == "udp" and x[2] == "Out"), None)
        reply = next((x for x in a[k + 1:k + 60] if x[1] == "rep" and x[3] == pid), None)
        if not out or not reply:
            continue
        back = [x for x in a[k + 1:k + 60] if x[0] <= reply[0] and x[1] == "udp" and x[2] == "In"]
        if back:
            s["A tun->veth"].append(out[0] - e[0])
            s["A veth->tun"].append(reply[0] - back[-1][0])
            s["total"].append(reply[0] - e[0])
    return s

work, systems = sys.argv[1], sys.argv[2:]
print(f"{'stage (us: median p25-p75)':28}" + "".join(f"{name:>20}" for name in systems))
results = {name: stages(load(f"{work}/{name}-a.pcap"), load(f"{work}/{name}-b.pcap")) for name in systems}
for stage in ["A tun->veth", "B veth->tun", "B kernel", "B tun->veth", "A veth->tun", "total"]:
    row = f"{stage:28}"
    for name in systems:
        v = (results[name] or {}).get(stage, [])
        if len(v) < 4:
            row += f"{'-':>20}"
            continue
        q = statistics.quantiles(v, n=4)
        row += f"{statistics.median(v) * 1e6:8.0f} {q[0] * 1e6:5.0f}-{q[2] * 1e6:<5.0f}"
    print(row)
print("pings matched: " + ", ".join(f"{n} {len((results[n] or {}).get('total', []))}" for n in systems))
EOF
