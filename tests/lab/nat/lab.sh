#!/usr/bin/env bash
# The NAT lab: a simulated Internet and NATted hosts in Linux network namespaces (DESIGN.md, "The lab").
#
#   lab.sh up NAME KIND...      build lab NAME: an "internet" namespace and one NATted host per KIND
#   lab.sh down NAME            delete exactly the namespaces lab NAME made (and stop the daemons it started)
#   lab.sh exec NAME HOST CMD.. run CMD inside HOST's namespace
#   lab.sh ns NAME HOST         print HOST's namespace name (for `ip netns exec`)
#   lab.sh hosts NAME           print "HOST NAMESPACE ADDRESS ROUTER-WAN KIND" lines
#   lab.sh flush NAME HOST      conntrack -F in HOST's router (a NAT reboot)
#   lab.sh block-udp NAME A B   drop UDP between hosts A and B (by their WAN addresses) in the internet namespace
#   lab.sh unblock NAME         remove every block-udp rule
#   lab.sh renumber NAME HOST IP  give HOST's router the WAN address IP (in 198.18.0.0/15) instead of its own, as an
#                               ISP that hands out a new address does; the router's NAT flows die with the old address
#
# Namespaces are named PREFIX + 6 random hex digits + -host; PREFIX is $LAB_PREFIX (default "bl"), so labs that run
# side by side can be told apart.
#
# KIND: full | addr | port | sym | upnp  (full cone, address-restricted cone, port-restricted cone, symmetric, and a
# port-restricted router running miniupnpd with NAT-PMP/PCP/UPnP IGD on its LAN side). full and addr map one UDP
# port straight through: KIND:PORT, default $LAB_NODE_PORT or 40000.
#
# Hosts: "inet" is the internet namespace itself (bridge 198.18.0.1/15, where a bootstrap node runs), "pub" a public
# host at 198.18.0.10, and h1..hN the NATted hosts in the order of KIND (router rN: WAN 198.18.1.N, LAN 192.168.N.1/24,
# host 192.168.N.2; a upnp router's mapped address is 11.0.0.N, see below). Nothing routes outside 198.18.0.0/15 and the LANs: no namespace has a path to the real world, and
# the root namespace's interfaces are never touched (each veth is created inside a lab namespace and its peer lands
# straight in another).
set -euo pipefail

LAB_STATE=${LAB_STATE:-/run/brunet-lab}
NODE_PORT=${LAB_NODE_PORT:-40000}

die() { echo "lab.sh: $*" >&2; exit 2; }

state_dir() { echo "$LAB_STATE/$1"; }

# The namespace prefix: unique per run, so two labs (or a crashed run's leftovers) never collide.
prefix_of() { cat "$(state_dir "$1")/prefix" 2>/dev/null || die "no lab named $1"; }

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

add_ns() {
    local name=$1 ns=$2
    ip netns add "$ns"
    echo "$ns" >> "$(state_dir "$name")/namespaces"
    nsx "$ns" ip link set lo up
}

nft_full_cone() {   # ns host port restricted(0/1)
    local ns=$1 host=$2 port=$3 restricted=$4 wan=$5
    local only=""
    if [ "$restricted" = 1 ]; then only="ip saddr @peers"; fi
    nsx "$ns" nft -f - <<EOF
table ip lab {
    # Address-restricted cone: inbound to the mapped port only from addresses the host has sent to.
    set peers { type ipv4_addr; flags dynamic,timeout; timeout 5m; }
    chain forward {
        type filter hook forward priority 0; policy accept;
        iifname "lan0" ip saddr $host udp sport $port update @peers { ip daddr }
    }
    chain prerouting {
        type nat hook prerouting priority -100; policy accept;
        iifname "wan0" udp dport $port $only dnat to $host:$port
    }
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        oifname "wan0" ip saddr $host udp sport $port snat to $wan:$port
        oifname "wan0" masquerade
    }
}
EOF
}

nft_masquerade() {   # ns extra ("" or "fully-random")
    nsx "$1" nft -f - <<EOF
table ip lab {
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        oifname "wan0" masquerade $2
    }
}
EOF
}

start_miniupnpd() {   # name ns wan
    local name=$1 ns=$2 wan=$3 dir
    dir=$(state_dir "$name")/$ns.upnp
    mkdir -p "$dir"
    # The chains miniupnpd's nftables backend fills (its defaults: table inet filter, chains miniupnpd,
    # prerouting_miniupnpd, postrouting_miniupnpd), then the router's own masquerade.
    nsx "$ns" nft -f - <<EOF
table inet filter {
    chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
    chain miniupnpd { }
    chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
    chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; oifname "wan0" masquerade; }
    chain prerouting_miniupnpd { }
    chain postrouting_miniupnpd { }
}
EOF
    cat > "$dir/miniupnpd.conf" <<EOF
ext_ifname=wan0
listening_ip=lan0
ext_ip=$wan
port=0
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=yes
clean_ruleset_interval=0
uuid=3f8a4b2c-0d6e-4f71-9a3b-5c2d1e0f9a87
allow 1024-65535 192.168.0.0/16 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
    nsx "$ns" miniupnpd -f "$dir/miniupnpd.conf" -P "$dir/miniupnpd.pid" -d > "$dir/miniupnpd.log" 2>&1 &
    echo $! > "$dir/launcher.pid"
}

cmd_up() {
    local name=$1; shift
    [ "$(id -u)" = 0 ] || die "needs root (CAP_NET_ADMIN) for network namespaces"
    [ -e "$(state_dir "$name")" ] && die "lab $name exists; run: lab.sh down $name"
    mkdir -p "$(state_dir "$name")"
    local prefix="${LAB_PREFIX:-bl}$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
    echo "$prefix" > "$(state_dir "$name")/prefix"
    : > "$(state_dir "$name")/namespaces"
    : > "$(state_dir "$name")/hosts"
    trap 'echo "lab.sh: up failed, cleaning up" >&2; cmd_down "$name"' ERR

    local inet="$prefix-inet"
    add_ns "$name" "$inet"
    nsx "$inet" ip link add br0 type bridge
    nsx "$inet" ip addr add 198.18.0.1/15 dev br0
    nsx "$inet" ip link set br0 up
    # miniupnpd refuses to serve a WAN address in a reserved range (198.18.0.0/15 is one), so a upnp router also
    # carries 11.0.0.N, a public-looking address that exists only on this bridge: every WAN side routes it on-link.
    nsx "$inet" ip route add 11.0.0.0/24 dev br0
    echo "inet $inet 198.18.0.1 - internet" >> "$(state_dir "$name")/hosts"

    # The public host.
    local pub="$prefix-pub"
    add_ns "$name" "$pub"
    nsx "$inet" ip link add vpub type veth peer name eth0 netns "$pub"
    nsx "$inet" ip link set vpub master br0 up
    nsx "$pub" ip addr add 198.18.0.10/15 dev eth0
    nsx "$pub" ip link set eth0 up
    nsx "$pub" ip route add 11.0.0.0/24 dev eth0
    echo "pub $pub 198.18.0.10 - public" >> "$(state_dir "$name")/hosts"

    local n=0 kind spec port
    for spec in "$@"; do
        n=$((n + 1))
        kind=${spec%%:*}
        port=$NODE_PORT
        if [ "$spec" != "$kind" ]; then port=${spec#*:}; fi
        local router="$prefix-r$n" host="$prefix-h$n" wan="198.18.1.$n" lanip="192.168.$n.2"
        add_ns "$name" "$router"
        add_ns "$name" "$host"
        nsx "$inet" ip link add "vr$n" type veth peer name wan0 netns "$router"
        nsx "$inet" ip link set "vr$n" master br0 up
        nsx "$router" ip addr add "$wan/15" dev wan0
        nsx "$router" ip link set wan0 up
        nsx "$router" ip route add 11.0.0.0/24 dev wan0
        nsx "$router" ip link add lan0 type veth peer name eth0 netns "$host"
        nsx "$router" ip addr add "192.168.$n.1/24" dev lan0
        nsx "$router" ip link set lan0 up
        nsx "$router" sysctl -qw net.ipv4.ip_forward=1
        nsx "$host" ip addr add "$lanip/24" dev eth0
        nsx "$host" ip link set eth0 up
        nsx "$host" ip route add default via "192.168.$n.1"
        # Like a home router's firewall: nothing unsolicited reaches the router itself from the WAN. Without this, an
        # unsolicited packet to a port leaves a conntrack entry behind that clashes with the host's own mapping later
        # (Linux then picks another port, or drops), which no real cone NAT does.
        nsx "$router" nft add table ip labfw
        nsx "$router" nft add chain ip labfw input '{ type filter hook input priority 0; policy accept; }'
        nsx "$router" nft add rule ip labfw input iifname wan0 ct state new drop
        case "$kind" in
            full) nft_full_cone "$router" "$lanip" "$port" 0 "$wan" ;;
            addr) nft_full_cone "$router" "$lanip" "$port" 1 "$wan" ;;
            port) nft_masquerade "$router" "" ;;
            sym) nft_masquerade "$router" "fully-random" ;;
            upnp) nsx "$router" ip addr add "11.0.0.$n/32" dev wan0
                  start_miniupnpd "$name" "$router" "11.0.0.$n" ;;
            *) die "unknown NAT kind $kind (full, addr, port, sym, upnp)" ;;
        esac
        echo "h$n $host $lanip $wan $kind" >> "$(state_dir "$name")/hosts"
        echo "r$n $router 192.168.$n.1 $wan router" >> "$(state_dir "$name")/hosts"
    done
    trap - ERR
    cat "$(state_dir "$name")/hosts"
}

cmd_down() {
    local name=$1 dir pid ns
    dir=$(state_dir "$name")
    [ -d "$dir" ] || return 0
    # Daemons we started (miniupnpd), by the pid they wrote: SIGTERM lets miniupnpd remove its rules.
    for pidfile in "$dir"/*.upnp/miniupnpd.pid "$dir"/*.upnp/launcher.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    done
    # Any process still inside one of our namespaces (nodes a test left behind) ends with its namespace.
    if [ -f "$dir/namespaces" ]; then
        while read -r ns; do
            [ -n "$ns" ] || continue
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        done < "$dir/namespaces"
        sleep 0.2
        while read -r ns; do
            [ -n "$ns" ] || continue
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
            ip netns del "$ns" 2>/dev/null || true
        done < "$dir/namespaces"
    fi
    rm -rf "$dir"
}

host_field() {   # name host field(2=ns 3=addr 4=wan 5=kind)
    local line
    line=$(awk -v h="$2" '$1 == h' "$(state_dir "$1")/hosts")
    [ -n "$line" ] || die "lab $1 has no host $2"
    echo "$line" | awk -v f="$3" '{ print $f }'
}

cmd_block_udp() {
    local name=$1 a b inet
    a=$(host_field "$name" "$2" 4); b=$(host_field "$name" "$3" 4)
    [ "$a" = - ] && a=$(host_field "$name" "$2" 3)
    [ "$b" = - ] && b=$(host_field "$name" "$3" 3)
    inet=$(host_field "$name" inet 2)
    # Bridged frames pass the bridge family's hooks, not ip forward: filter there.
    nsx "$inet" nft add table bridge labfw
    nsx "$inet" nft add chain bridge labfw forward '{ type filter hook forward priority 0; policy accept; }'
    nsx "$inet" nft add rule bridge labfw forward ip saddr "$a" ip daddr "$b" meta l4proto udp drop
    nsx "$inet" nft add rule bridge labfw forward ip saddr "$b" ip daddr "$a" meta l4proto udp drop
}

cmd_renumber() {
    local name=$1 host=$2 new=$3 n router old kind ns
    n=${host#h}
    kind=$(host_field "$name" "$host" 5)
    old=$(host_field "$name" "$host" 4)
    ns=$(host_field "$name" "r$n" 2)
    case "$new" in 198.18.*|198.19.*) ;; *) die "renumber: $new is outside 198.18.0.0/15" ;; esac
    case "$kind" in port|sym) ;; *) die "renumber: only masquerading routers (port, sym), not $kind" ;; esac
    # Old address first: deleting a primary address would take a secondary one (the new) with it.
    nsx "$ns" ip addr del "$old/15" dev wan0
    nsx "$ns" ip addr add "$new/15" dev wan0
    # Removing the address makes the kernel forget masquerade flows through it; flush the rest as a rebooted box would.
    nsx "$ns" conntrack -F >/dev/null 2>&1 || true
    awk -v h="$host" -v r="r$n" -v o="$old" -v w="$new" '($1 == h || $1 == r) && $4 == o { $4 = w } { print }' \
        "$(state_dir "$name")/hosts" > "$(state_dir "$name")/hosts.new"
    mv "$(state_dir "$name")/hosts.new" "$(state_dir "$name")/hosts"
}

cmd=${1:-}
case "$cmd" in
    up) [ $# -ge 2 ] || die "usage: lab.sh up NAME KIND..."; shift; cmd_up "$@" ;;
    down) [ $# -eq 2 ] || die "usage: lab.sh down NAME"; cmd_down "$2" ;;
    exec) [ $# -ge 4 ] || die "usage: lab.sh exec NAME HOST CMD..."; ns=$(host_field "$2" "$3" 2); shift 3; exec ip netns exec "$ns" "$@" ;;
    ns) [ $# -eq 3 ] || die "usage: lab.sh ns NAME HOST"; host_field "$2" "$3" 2 ;;
    hosts) [ $# -eq 2 ] || die "usage: lab.sh hosts NAME"; cat "$(state_dir "$2")/hosts" ;;
    flush) [ $# -eq 3 ] || die "usage: lab.sh flush NAME HOST"; ns=$(host_field "$2" "r${3#h}" 2); nsx "$ns" conntrack -F ;;
    block-udp) [ $# -eq 4 ] || die "usage: lab.sh block-udp NAME A B"; cmd_block_udp "$2" "$3" "$4" ;;
    renumber) [ $# -eq 4 ] || die "usage: lab.sh renumber NAME HOST IP"; cmd_renumber "$2" "$3" "$4" ;;
    unblock) [ $# -eq 2 ] || die "usage: lab.sh unblock NAME"; ns=$(host_field "$2" inet 2); nsx "$ns" nft delete table bridge labfw 2>/dev/null || true ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
