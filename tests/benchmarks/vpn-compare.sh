#!/usr/bin/env bash
# Side-by-side VPN throughput and latency (root), in one run on the same two network namespaces joined by one veth
# (198.18.1.1 <-> 198.18.1.2, no route out): iperf3 TCP and ping over the raw veth, over GroupVPN (two `groupvpn run`
# hosts with a direct edge, DHCP through busybox udhcpc), over wireguard-go, Nebula and Yggdrasil, each at its own
# default MTU, GroupVPN again with super-frames off (groupvpn-nosf: GROUPVPN_SUPERFRAMES=0, the before of a
# before/after) and GroupVPN with a large virtual MTU. Prints a table: Mbit/s (1 and 4 streams), the ratio of
# each peer to GroupVPN, and ping RTT. Each system gets an unrecorded 2-second warm-up run first, and its ping runs
# after its throughput runs.
#
#   tests/benchmarks/vpn-compare.sh            (build first: dotnet build -c Release Brunet.sln)
#   DURATION=10 STREAMS="1 4" LARGE_MTU=9000 PINGS=20 ONLY="raw groupvpn groupvpn-nosf wireguard-go nebula yggdrasil groupvpn-large" \
#     NS_PREFIX=vc VERBOSE=1 tests/benchmarks/vpn-compare.sh
#
# The RTT column is the median of PINGS pings (default 20). NS_PREFIX starts the two namespaces' names (default vc); VERBOSE=1 logs
# iperf3's retransmits and intervals, UDP counters, GroupVPN's non-zero drop counters and CPU ticks per thread.
#
# Needs: iperf3, busybox, and for the peers the Debian packages wireguard-go wireguard-tools nebula yggdrasil
# (a peer whose binary is missing is reported as "not installed"). Cleans up exactly what it made: its two
# namespaces, its temporary folder and the processes it started (by PID).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lab="$root/tests/lab"
duration="${DURATION:-10}"
streams="${STREAMS:-1 4}"
large_mtu="${LARGE_MTU:-9000}"
pings="${PINGS:-20}"
[[ "$pings" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "vpn-compare: PINGS must be 1-9999, not '$pings'" >&2; exit 2; }
only="${ONLY:-raw groupvpn groupvpn-nosf wireguard-go nebula yggdrasil groupvpn-large}"
groupvpn="$root/artifacts/bin/Ipop.Dht/release/groupvpn.dll"
bootstrap="$root/artifacts/bin/bootstrap/release/run_bootstrap_node.dll"

[ "$(id -u)" = 0 ] || { echo "vpn-compare: needs root (network namespaces, TUN/TAP)" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "vpn-compare: iperf3 is not installed" >&2; exit 2; }
for f in "$groupvpn" "$bootstrap"; do
  [ -f "$f" ] || { echo "vpn-compare: $f is missing: run 'dotnet build -c Release Brunet.sln' first" >&2; exit 2; }
done

suffix="$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
prefix="${NS_PREFIX:-vc}"
A="$prefix-a-$suffix"
B="$prefix-b-$suffix"
ip_a=198.18.1.1
ip_b=198.18.1.2
dir="$(mktemp -d /tmp/vpn-compare.XXXXXX)"
pids=()

stop_pids() {   # SIGTERM, a moment, then SIGKILL: only the PIDs given (ours)
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    local alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
}
cleanup() {
  [ "${#pids[@]}" -gt 0 ] && stop_pids "${pids[@]}"
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "vpn-compare: kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "vpn-compare: $*" >&2; }
# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local limit="$1"; shift
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.1
  done
}
# Starts a background process in a namespace; its PID (ip netns exec execs the command, so $! is it) goes to
# $started and to the cleanup list.
started=""
start_in() {   # start_in NS LOGFILE CMD...
  local ns="$1" logfile="$2"; shift 2
  ip netns exec "$ns" "$@" >"$logfile" 2>&1 &
  started=$!
  pids+=("$started")
}
forget_pids() {   # removes the given PIDs from the cleanup list (they were stopped already)
  local keep=() pid gone
  for pid in "${pids[@]}"; do
    gone=0
    for g in "$@"; do [ "$pid" = "$g" ] && gone=1; done
    [ "$gone" = 0 ] && keep+=("$pid")
  done
  pids=("${keep[@]}")
}

# --- the lab: two namespaces, one veth ---
ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" link add eth0 type veth peer name eth0 netns "$B"
ip -n "$A" addr add "$ip_a/24" dev eth0
ip -n "$B" addr add "$ip_b/24" dev eth0
ip -n "$A" link set eth0 up
ip -n "$B" link set eth0 up
wait_for 5 ip netns exec "$A" ping -c 1 -W 1 "$ip_b" || { log "the veth does not pass traffic"; exit 1; }

declare -A mbit1 mbitp rtt note

# iperf3 from A to SERVER_IP (inside B), NSTREAMS streams: prints the receiver's Mbit/s.
measure_iperf() {   # measure_iperf SERVER_IP NSTREAMS
  measure_iperf_for "$duration" "$@"
}
measure_iperf_for() {   # measure_iperf_for SECONDS SERVER_IP NSTREAMS
  local seconds="$1"; shift
  local server port=5201
  start_in "$B" "$dir/iperf3-server.log" iperf3 -s -1 -p "$port"
  server=$started
  sleep 0.5
  local out
  out=$(timeout $((seconds + 20)) ip netns exec "$A" iperf3 -c "$1" -p "$port" -t "$seconds" -P "$2" -f m -J 2>/dev/null)
  stop_pids "$server"
  forget_pids "$server"
  [ -n "${VERBOSE:-}" ] && log "iperf3 -P $2: retransmits $(echo "$out" | jq -r '.end.sum_sent.retransmits // "?"' 2>/dev/null), intervals $(echo "$out" | jq -r '[.intervals[].sum.bits_per_second / 1e6 | floor] | join(" ")' 2>/dev/null)"
  echo "$out" | jq -r '.end.sum_received.bits_per_second // empty | . / 1e6 | floor' 2>/dev/null
}
declare -A rtt_all
measure_rtt() {   # measure_rtt NAME ADDRESS: ping -c $PINGS -i 0.2; the median in ms to rtt[NAME], min/avg/max/mdev to rtt_all[NAME]
  local out
  out=$(timeout $((pings / 5 + 10)) ip netns exec "$A" ping -c "$pings" -i 0.2 -W 2 "$2" 2>/dev/null)
  rtt_all[$1]=$(echo "$out" | sed -n 's/.*= \([0-9.\/]*\) ms.*/\1/p')
  # The median, not the mean: on shared cores one late wake-up of any process moves the mean of 20 samples.
  rtt[$1]=$(echo "$out" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}
measure() {   # measure NAME ADDRESS
  local name="$1" address="$2" p
  # A short unrecorded run first: every system is measured warm (a JIT's optimized code, caches, ARP).
  measure_iperf_for 2 "$address" 1 >/dev/null
  for p in $streams; do
    local m
    m=$(measure_iperf "$address" "$p")
    if [ "$p" = 1 ]; then mbit1[$name]="$m"; else mbitp[$name]="$m"; fi
  done
  # After the throughput runs, so every system is warm (caches, ARP, a JIT's optimized code) and idle again.
  sleep 1
  measure_rtt "$name" "$address"
  if [ -n "${VERBOSE:-}" ]; then
    for ns in "$A" "$B"; do log "$ns: $(ip netns exec "$ns" awk '/^Udp:/ {print}' /proc/net/snmp | tr '\n' ' ')"; done
  fi
  log "$name: ${mbit1[$name]:-?} Mbit/s (1 stream), ${mbitp[$name]:-?} Mbit/s (-P), RTT median ${rtt[$name]:-?}, min/avg/max/mdev ${rtt_all[$name]:-?} ms ${note[$name]:-}"
}

# --- raw veth ---
run_raw() {
  note[raw]="(MTU 1500)"
  measure raw "$ip_b"
}

# --- GroupVPN: a bootstrap node in A, host h1 in A and host h2 in B ---
boot_pid=""
gv_start_boot() {
  mkdir -p "$dir/boot"
  cat >"$dir/boot/boot.config" <<XML
<?xml version="1.0"?>
<NodeConfig>
  <BrunetNamespace>vpncompare</BrunetNamespace>
  <RemoteTAs><Transport>brunet.udp://$ip_a:40000</Transport></RemoteTAs>
  <EdgeListeners><EdgeListener type="udp"><port>40000</port></EdgeListener></EdgeListeners>
  <ControlEndpoint><Enabled>false</Enabled></ControlEndpoint>
  <Security><KeyPath>boot.key</KeyPath></Security>
</NodeConfig>
XML
  start_in "$A" "$dir/boot.log" dotnet "$bootstrap" "$dir/boot/boot.config" -n 1
  boot_pid=$started
  wait_for 30 grep -qs "node 0 joined" "$dir/boot.log"
}
gv_configs() {   # gv_configs HOST IP
  local h="$1" address="$2"
  mkdir -p "$dir/$h"
  cat >"$dir/$h/node.config" <<XML
<?xml version="1.0"?>
<NodeConfig>
  <BrunetNamespace>vpncompare</BrunetNamespace>
  <RemoteTAs><Transport>brunet.udp://$ip_a:40000</Transport></RemoteTAs>
  <EdgeListeners><EdgeListener type="udp"><port>40001</port></EdgeListener></EdgeListeners>
  <ControlEndpoint><Enabled>true</Enabled><Port>10001</Port></ControlEndpoint>
  <Security><KeyPath>node.key</KeyPath></Security>
</NodeConfig>
XML
  cat >"$dir/$h/ipop.config" <<XML
<?xml version="1.0"?>
<IpopConfig>
  <IpopNamespace>compare</IpopNamespace>
  <VirtualNetworkDevice>tapipop</VirtualNetworkDevice>
  <AddressData><Hostname>$h</Hostname></AddressData>
  <EnableMulticast>false</EnableMulticast>
  <AllowStaticAddresses>false</AllowStaticAddresses>
</IpopConfig>
XML
  cat >"$dir/$h/dhcp.config" <<XML
<?xml version="1.0"?>
<DHCPConfig>
  <Namespace>compare</Namespace>
  <IPBase>100.64.0.0</IPBase>
  <Netmask>255.255.0.0</Netmask>
  <LeaseTime>600</LeaseTime>
</DHCPConfig>
XML
}
declare -A gv_vip gv_pid
gv_env=""
gv_start_host() {   # gv_start_host HOST NS [MTU]; $gv_env: VAR=VALUE words for the process's environment
  local h="$1" ns="$2" mtu="${3:-}"
  local extra=()
  [ -n "$mtu" ] && extra=(--mtu "$mtu")
  # shellcheck disable=SC2086
  start_in "$ns" "$dir/$h.log" env $gv_env dotnet "$groupvpn" run --etc "$dir/$h" "${extra[@]}"
  gv_pid[$h]=$started
  wait_for 20 ip netns exec "$ns" ip link show tapipop || { log "$h: no TAP device (see $dir/$h.log)"; return 1; }
  timeout 40 ip netns exec "$ns" busybox udhcpc -i tapipop -n -q -t 20 -T 1 -s "$lab/udhcpc.script" >"$dir/$h.dhcp" 2>&1
  gv_vip[$h]=$(sed -n 's/^lease \([0-9.]*\)\/.*/\1/p' "$dir/$h.dhcp")
  [ -n "${gv_vip[$h]}" ] || { log "$h: no DHCP lease (see $dir/$h.log, $dir/$h.dhcp)"; return 1; }
}
gv_direct() {   # true when h1 has a direct edge (a link) to h2
  local node
  node=$(sed -n 's/.*<NodeAddress>\(.*\)<\/NodeAddress>.*/\1/p' "$dir/h2/node.config")
  ip netns exec "$A" bash "$lab/http-get.sh" 10001 /api/linkstatus | grep -q "\"address\":\"$node\""
}
gv_run() {   # gv_run NAME [MTU]
  local name="$1" mtu="${2:-}"
  [ -n "$boot_pid" ] || gv_start_boot || { log "bootstrap node did not start (see $dir/boot.log)"; return 1; }
  gv_configs h1 "$ip_a"
  gv_configs h2 "$ip_b"
  gv_start_host h1 "$A" "$mtu" && gv_start_host h2 "$B" "$mtu" || { note[$name]="(failed to start)"; gv_stop; return 1; }
  ip netns exec "$A" ping -c 3 -i 0.2 -W 1 "${gv_vip[h2]}" >/dev/null 2>&1 || true
  if ! wait_for 20 gv_direct; then
    log "$name: no direct edge h1-h2 within 20 s"
  fi
  wait_for 10 ip netns exec "$A" ping -c 1 -W 1 "${gv_vip[h2]}" || log "$name: ping over the VPN fails"
  note[$name]="(MTU $(ip -n "$A" -o link show tapipop | sed -n 's/.* mtu \([0-9]*\).*/\1/p'))"
  measure "$name" "${gv_vip[h2]}"
  if [ -n "${VERBOSE:-}" ]; then
    for h in h1 h2; do
      local hns="$A"; [ "$h" = h2 ] && hns="$B"
      log "$h counters: $(ip netns exec "$hns" bash "$lab/http-get.sh" 10001 /metrics 2>/dev/null | grep -E '^groupvpn_(packets_in|coalesced|packets_out|super_frames|dropped_send_full|tap_dropped|udp_)' | grep -v ' 0$' | tr '\n' ' ')"
    done
    for h in h1 h2; do
      log "$h CPU ticks by thread: $(for t in /proc/"${gv_pid[$h]}"/task/*; do
        awk '{ s = $0; sub(/^[^(]*\(/, "", s); name = s; sub(/\).*/, "", name); sub(/^[^)]*\) /, "", s); split(s, f, " ");
               if (f[12] + f[13] > 20) printf "%s=%d+%d ", name, f[12], f[13] }' "$t/stat"; done)"
    done
  fi
  gv_stop
}
gv_stop() {
  local stopped=()
  for h in h1 h2; do
    [ -n "${gv_pid[$h]:-}" ] && stopped+=("${gv_pid[$h]}")
    gv_pid[$h]=""
  done
  [ "${#stopped[@]}" -gt 0 ] && { stop_pids "${stopped[@]}"; forget_pids "${stopped[@]}"; }
}

# --- wireguard-go: a TUN made by wireguard-go in each namespace, keys from wg genkey ---
run_wireguard() {
  command -v wireguard-go >/dev/null && command -v wg >/dev/null || { note[wireguard-go]="(not installed)"; return 0; }
  local ka kb pa pb ns_pids=()
  ka=$(wg genkey); kb=$(wg genkey)
  pa=$(echo "$ka" | wg pubkey); pb=$(echo "$kb" | wg pubkey)
  echo "$ka" >"$dir/wg-a.key"; echo "$kb" >"$dir/wg-b.key"
  chmod 600 "$dir"/wg-*.key
  local ns me peer key peerkey tunnel peer_tunnel dev
  for side in a b; do
    # wireguard-go's control socket (/var/run/wireguard/DEV.sock) is not per namespace: one name per side and run.
    dev="wg$side$suffix"
    if [ "$side" = a ]; then ns=$A; key="$dir/wg-a.key"; peerkey=$pb; tunnel=198.19.1.1; peer_tunnel=198.19.1.2; peer=$ip_b
    else ns=$B; key="$dir/wg-b.key"; peerkey=$pa; tunnel=198.19.1.2; peer_tunnel=198.19.1.1; peer=$ip_a; fi
    start_in "$ns" "$dir/wg-$side.log" env WG_PROCESS_FOREGROUND=1 WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f "$dev"
    ns_pids+=("$started")
    wait_for 10 ip netns exec "$ns" wg show "$dev" || { log "wireguard-go did not start (see $dir/wg-$side.log)"; note[wireguard-go]="(failed)"; return 0; }
    ip netns exec "$ns" wg set "$dev" private-key "$key" listen-port 51820 \
      peer "$peerkey" allowed-ips "$peer_tunnel/32" endpoint "$peer:51820"
    ip -n "$ns" addr add "$tunnel/24" dev "$dev"
    ip -n "$ns" link set "$dev" up
  done
  wait_for 10 ip netns exec "$A" ping -c 1 -W 1 198.19.1.2 || log "wireguard-go: ping fails"
  note[wireguard-go]="(MTU $(ip -n "$A" -o link show "wga$suffix" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'))"
  measure wireguard-go 198.19.1.2
  stop_pids "${ns_pids[@]}"; forget_pids "${ns_pids[@]}"
}

# --- Nebula: a CA from nebula-cert, two static hosts, no lighthouse ---
run_nebula() {
  command -v nebula >/dev/null && command -v nebula-cert >/dev/null || { note[nebula]="(not installed)"; return 0; }
  local nd="$dir/nebula" ns_pids=() side ns tunnel peer_tunnel peer
  mkdir -p "$nd"
  (cd "$nd" && nebula-cert ca -name vpn-compare >/dev/null \
    && nebula-cert sign -name a -ip 198.19.2.1/24 >/dev/null && nebula-cert sign -name b -ip 198.19.2.2/24 >/dev/null) \
    || { note[nebula]="(nebula-cert failed)"; return 0; }
  for side in a b; do
    if [ "$side" = a ]; then ns=$A; peer_tunnel=198.19.2.2; peer=$ip_b; else ns=$B; peer_tunnel=198.19.2.1; peer=$ip_a; fi
    cat >"$nd/$side.yml" <<YAML
pki:
  ca: $nd/ca.crt
  cert: $nd/$side.crt
  key: $nd/$side.key
static_host_map:
  "$peer_tunnel": ["$peer:4242"]
lighthouse:
  am_lighthouse: false
  hosts: []
listen:
  host: 0.0.0.0
  port: 4242
punchy:
  punch: false
tun:
  dev: nebvc0
logging:
  level: warning
firewall:
  outbound:
    - port: any
      proto: any
      host: any
  inbound:
    - port: any
      proto: any
      host: any
YAML
    start_in "$ns" "$dir/nebula-$side.log" nebula -config "$nd/$side.yml"
    ns_pids+=("$started")
    wait_for 10 ip netns exec "$ns" ip link show nebvc0 || { log "nebula did not start (see $dir/nebula-$side.log)"; note[nebula]="(failed)"; return 0; }
  done
  wait_for 15 ip netns exec "$A" ping -c 1 -W 1 198.19.2.2 || log "nebula: ping fails"
  note[nebula]="(MTU $(ip -n "$A" -o link show nebvc0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p'))"
  measure nebula 198.19.2.2
  stop_pids "${ns_pids[@]}"; forget_pids "${ns_pids[@]}"
}

# --- Yggdrasil: B listens on TCP, A peers with it; default TUN MTU; no multicast discovery, no admin socket ---
run_yggdrasil() {
  command -v yggdrasil >/dev/null || { note[yggdrasil]="(not installed)"; return 0; }
  local side ns ns_pids=()
  for side in a b; do
    yggdrasil -genconf -json >"$dir/ygg-$side.base.json" 2>/dev/null || { note[yggdrasil]="(genconf failed)"; return 0; }
  done
  jq --arg peer "tcp://$ip_b:9001" '.Peers = [$peer] | .Listen = [] | .MulticastInterfaces = [] | .AdminListen = "none" | .IfName = "yggvc0"' \
    "$dir/ygg-a.base.json" >"$dir/ygg-a.json"
  jq --arg listen "tcp://$ip_b:9001" '.Peers = [] | .Listen = [$listen] | .MulticastInterfaces = [] | .AdminListen = "none" | .IfName = "yggvc0"' \
    "$dir/ygg-b.base.json" >"$dir/ygg-b.json"
  local address_b
  address_b=$(yggdrasil -useconffile "$dir/ygg-b.json" -address 2>/dev/null)
  for side in b a; do
    if [ "$side" = a ]; then ns=$A; else ns=$B; fi
    start_in "$ns" "$dir/ygg-$side.log" yggdrasil -useconffile "$dir/ygg-$side.json"
    ns_pids+=("$started")
    wait_for 10 ip netns exec "$ns" ip link show yggvc0 || { log "yggdrasil did not start (see $dir/ygg-$side.log)"; note[yggdrasil]="(failed)"; return 0; }
  done
  wait_for 20 ip netns exec "$A" ping -c 1 -W 1 "$address_b" || log "yggdrasil: ping fails"
  note[yggdrasil]="(MTU $(ip -n "$A" -o link show yggvc0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p'))"
  measure yggdrasil "$address_b"
  stop_pids "${ns_pids[@]}"; forget_pids "${ns_pids[@]}"
}

for system in $only; do
  case "$system" in
    raw) run_raw ;;
    groupvpn) gv_run groupvpn ;;
    groupvpn-nosf) gv_env="GROUPVPN_SUPERFRAMES=0"; gv_run groupvpn-nosf; gv_env="" ;;
    groupvpn-large) gv_run groupvpn-large "$large_mtu" ;;
    wireguard-go) run_wireguard ;;
    nebula) run_nebula ;;
    yggdrasil) run_yggdrasil ;;
    *) log "unknown system $system" ;;
  esac
done

# --- the table ---
ratio() {   # ratio PEER OURS: peer / ours
  [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || printf -- "-"
}
p_label=""
for p in $streams; do [ "$p" != 1 ] && p_label="-P $p"; done
echo
echo "vpn-compare: iperf3 TCP ${duration} s from $A to $B, ping -c $pings -i 0.2 (median RTT); ratio = peer / groupvpn (same column)"
printf '%-16s %-14s %12s %8s %12s %8s %10s\n' system mtu "Mbit/s" ratio "Mbit/s$p_label" ratio "RTT ms"
for system in $only; do
  printf '%-16s %-14s %12s %8s %12s %8s %10s\n' "$system" "${note[$system]:-}" "${mbit1[$system]:--}" \
    "$(ratio "${mbit1[$system]:-}" "${mbit1[groupvpn]:-}")" "${mbitp[$system]:--}" \
    "$(ratio "${mbitp[$system]:-}" "${mbitp[groupvpn]:-}")" "${rtt[$system]:--}"
done
