#!/usr/bin/env bash
# NAT benchmark (issue D): GroupVPN hosts behind a full cone, a port-restricted cone and two symmetric NATs
# (tests/lab/nat/lab.sh), a bootstrap node on the simulated internet. Prints, per NAT pair, the time from the first VPN
# packet to a direct edge (or to the relay edge, for the two symmetric NATs); then ping RTT and iperf3 throughput over
# a direct pair and over the relayed pair.
#
#   sudo tests/benchmarks/nat-bench.sh            (build first: dotnet build Brunet.sln -c Release)
#   BENCH_RELAY_CAP=N   the forwarders' <Relay><MaxBytesPerSecond> (default 1000000000, so the relay's own cost shows;
#                       the node's default cap, 1048576, would hold relay throughput near 8 Mbit/s)
#   BENCH_SECONDS=N     iperf3 seconds per run (default 5)
#
# Needs root, iproute2, nftables, conntrack, busybox, iperf3. Namespaces start with "nvb"; all are removed at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
[ "$(id -u)" = 0 ] || { echo "nat-bench: needs root (network namespaces)" >&2; exit 2; }
for tool in iperf3 busybox ping; do
    command -v "$tool" >/dev/null || { echo "nat-bench: $tool is not installed" >&2; exit 2; }
done
gv="$root/artifacts/bin/Ipop.Dht/release/groupvpn.dll"
boot="$root/artifacts/bin/bootstrap/release/run_bootstrap_node.dll"
[ -f "$gv" ] && [ -f "$boot" ] || { echo "nat-bench: build first (dotnet build Brunet.sln -c Release)" >&2; exit 2; }
cap=${BENCH_RELAY_CAP:-1000000000}
seconds=${BENCH_SECONDS:-5}
kinds=(full:40001 port sym sym)
hosts=4

suffix=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
lab="nvb$suffix"
dir=$(mktemp -d /tmp/nat-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    LAB_PREFIX=nvb bash tests/lab/nat/lab.sh down "$lab" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

LAB_PREFIX=nvb bash tests/lab/nat/lab.sh up "$lab" "${kinds[@]}" > "$dir/hosts"
ns() { awk -v h="$1" '$1 == h { print $2 }' "$dir/hosts"; }
kind() { echo "${kinds[$(($1 - 1))]%%:*}"; }
bash tests/lab/gv-lab.sh configs "$suffix" "$hosts" "$dir" >/dev/null
relay="  <Relay><MaxBytesPerSecond>$cap</MaxBytesPerSecond></Relay>"
sed -i "s|</NodeConfig>|$relay\n</NodeConfig>|" "$dir/boot/boot.config" "$dir"/h*/node.config

ip netns exec "$(ns inet)" dotnet "$boot" "$dir/boot/boot.config" -n 1 > "$dir/boot.log" 2>&1 &
pids+=($!)
for ((i = 1; i <= hosts; i++)); do
    ip netns exec "$(ns "h$i")" dotnet "$gv" run --etc "$dir/h$i" > "$dir/h$i.log" 2>&1 &
    pids+=($!)
done

http() { ip netns exec "$(ns "h$1")" bash tests/lab/http-get.sh 10001 "$2"; }
declare -a vip node
for ((i = 1; i <= hosts; i++)); do
    for _ in $(seq 200); do ip netns exec "$(ns "h$i")" ip link show tapipop >/dev/null 2>&1 && break; sleep 0.1; done
    out=$(ip netns exec "$(ns "h$i")" busybox udhcpc -i tapipop -n -q -t 10 -T 1 -s tests/lab/udhcpc.script 2>&1)
    vip[i]=$(echo "$out" | sed -n 's/.*lease \([0-9.]*\)\/.*/\1/p' | head -1)
    node[i]=$(sed -n 's/.*<NodeAddress>\(brunet:node:[A-Z2-7]*\)<\/NodeAddress>.*/\1/p' "$dir/h$i/node.config")
    [ -n "${vip[i]}" ] || { echo "nat-bench: h$i got no lease: $out" >&2; exit 1; }
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
link_kind() { http "$1" "/api/ping?node=${node[$2]}" | sed -n 's/.*"link":"\([a-z]*\)".*/\1/p'; }

echo "NAT pair           time to edge  edge    (from the first VPN ping; 0.0 = ring neighbours, linked already)"
for ((a = 1; a <= hosts; a++)); do
    for ((b = a + 1; b <= hosts; b++)); do
        want=udp
        [ "$(kind "$a")" = sym ] && [ "$(kind "$b")" = sym ] && want=relay
        start=$(now_ms)
        got=""
        while :; do
            got=$(link_kind "$a" "$b")
            [ "$got" = "$want" ] && break
            [ $(($(now_ms) - start)) -gt 60000 ] && break
            ip netns exec "$(ns "h$a")" ping -c 1 -W 1 "${vip[b]}" >/dev/null 2>&1 || true
            sleep 0.2
        done
        took=$(($(now_ms) - start))
        printf '%-18s %6d.%d s  %s\n' "h$a-h$b $(kind "$a")-$(kind "$b")" $((took / 1000)) $((took % 1000 / 100)) "${got:-none}"
    done
done

median_rtt() {   # from to
    ip netns exec "$(ns "h$1")" ping -c 40 -i 0.05 -W 2 "${vip[$2]}" 2>/dev/null \
        | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", v[int((NR + 1) / 2)]; else printf "-" }'
}
throughput() {   # from to
    ip netns exec "$(ns "h$2")" iperf3 -s -1 -B "${vip[$2]}" >/dev/null 2>&1 &
    local server=$!
    sleep 0.5
    ip netns exec "$(ns "h$1")" iperf3 -c "${vip[$2]}" -t "$seconds" -f m 2>/dev/null \
        | awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }'
    wait "$server" 2>/dev/null || true
}
echo
echo "path                        edge   ping median  iperf3 (TCP, ${seconds} s)"
for pair in "1 2" "3 4"; do
    set -- $pair
    printf '%-27s %-6s %8s ms  %s Mbit/s\n' "h$1-h$2 $(kind "$1")-$(kind "$2")" "$(link_kind "$1" "$2")" \
        "$(median_rtt "$1" "$2")" "$(throughput "$1" "$2")"
done
echo "(relay cap: $cap bytes/s; the machine may be shared: figures are noisy)"
