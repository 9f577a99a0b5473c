#!/usr/bin/env bash
# The GroupVPN lab: a bootstrap namespace and N host namespaces on one bridge (198.18.0.0/15, no route anywhere else).
#   gv-lab.sh up SUFFIX N      makes gv-net-SUFFIX (the bridge), gv-boot-SUFFIX (198.18.0.1), gv-hI-SUFFIX (198.18.0.1I)
#                              (the prefix "gv" is GV_LAB_PREFIX when set, so concurrent labs keep apart)
#   gv-lab.sh down SUFFIX N    deletes them
#   gv-lab.sh configs SUFFIX N DIR [private]   writes boot/ and hI/ config folders under DIR; with "private" each
#                                    ipop.config enables GroupVPN (ca.crt, node.crt, node.key in the host's folder,
#                                    as `groupvpn ca sign --out DIR/hI` writes them)
# Veth pairs are created inside the namespaces (never in the root namespace); nothing else is touched.
set -euo pipefail
cmd="$1"; suffix="$2"; count="${3:-3}"
prefix="${GV_LAB_PREFIX:-gv}"
net="$prefix-net-$suffix"
names=(boot)
for ((i = 1; i <= count; i++)); do names+=("h$i"); done

address_of() { if [ "$1" = boot ]; then echo 198.18.0.1; else echo "198.18.0.1${1#h}"; fi; }

case "$cmd" in
  up)
    ip netns add "$net"
    ip -n "$net" link set lo up
    ip -n "$net" link add br0 type bridge
    ip -n "$net" link set br0 up
    for name in "${names[@]}"; do
      ns="$prefix-$name-$suffix"
      ip netns add "$ns"
      ip -n "$ns" link set lo up
      ip -n "$net" link add "v-$name" type veth peer name eth0 netns "$ns"
      ip -n "$net" link set "v-$name" master br0 up
      ip -n "$ns" addr add "$(address_of "$name")/15" dev eth0
      ip -n "$ns" link set eth0 up
    done
    ;;
  down)
    for name in "${names[@]}" net; do
      ns="$prefix-$name-$suffix"
      ip netns del "$ns" 2>/dev/null || true
    done
    ;;
  configs)
    dir="$4"
    group=""
    if [ "${5:-}" = private ]; then
      group="  <GroupVPN><Enabled>true</Enabled><AuthorityCertificate>ca.crt</AuthorityCertificate><Certificate>node.crt</Certificate><KeyPath>node.key</KeyPath></GroupVPN>"
    fi
    mkdir -p "$dir/boot"
    cat >"$dir/boot/boot.config" <<XML
<?xml version="1.0"?>
<NodeConfig>
  <BrunetNamespace>gvlab</BrunetNamespace>
  <RemoteTAs><Transport>brunet.udp://198.18.0.1:40000</Transport></RemoteTAs>
  <EdgeListeners>
    <EdgeListener type="udp"><port>40000</port></EdgeListener>
    <EdgeListener type="tcp"><port>40000</port></EdgeListener>
  </EdgeListeners>
  <ControlEndpoint><Enabled>true</Enabled><Port>10000</Port></ControlEndpoint>
  <Security><KeyPath>boot.key</KeyPath></Security>
</NodeConfig>
XML
    for name in "${names[@]:1}"; do
      mkdir -p "$dir/$name"
      cat >"$dir/$name/node.config" <<XML
<?xml version="1.0"?>
<NodeConfig>
  <BrunetNamespace>gvlab</BrunetNamespace>
  <RemoteTAs>
    <Transport>brunet.udp://198.18.0.1:40000</Transport>
    <Transport>brunet.tcp://198.18.0.1:40000</Transport>
  </RemoteTAs>
  <EdgeListeners>
    <EdgeListener type="udp"><port>40001</port></EdgeListener>
    <EdgeListener type="tcp"><port>40001</port></EdgeListener>
  </EdgeListeners>
  <ControlEndpoint><Enabled>true</Enabled><Port>10001</Port></ControlEndpoint>
  <Security><KeyPath>node.key</KeyPath></Security>
</NodeConfig>
XML
      cat >"$dir/$name/ipop.config" <<XML
<?xml version="1.0"?>
<IpopConfig>
  <IpopNamespace>demo</IpopNamespace>
  <VirtualNetworkDevice>tapipop</VirtualNetworkDevice>
  <AddressData><Hostname>$name</Hostname></AddressData>
  <EnableMulticast>false</EnableMulticast>
  <AllowStaticAddresses>false</AllowStaticAddresses>
$group
</IpopConfig>
XML
      cat >"$dir/$name/dhcp.config" <<XML
<?xml version="1.0"?>
<DHCPConfig>
  <Namespace>demo</Namespace>
  <IPBase>100.64.0.0</IPBase>
  <Netmask>255.255.0.0</Netmask>
  <LeaseTime>600</LeaseTime>
</DHCPConfig>
XML
    done
    ;;
  *)
    echo "usage: $0 up|down|configs SUFFIX [N] [DIR] [private]" >&2
    exit 2
    ;;
esac
