using System.Net;
using System.Net.NetworkInformation;
using Ipop.Dhcp.Wire;

namespace Ipop.Dhcp.Server;

/// <summary>
/// The DHCP server on the TAP, without sockets: one request in, at most one reply out (RFC 2131 §4.3). The operating
/// system's own DHCP client on the TAP is its only client. Addresses come from an <see cref="IAddressAllocator"/>
/// (the DHT); the server keeps no lease table of its own, so it may be restarted at any time.
/// </summary>
/// <remarks>
/// Not handled, by choice: requests through a relay agent (giaddr set; there is no relay on a TAP), non-Ethernet
/// clients, and BOOTP clients without option 53. Those get no reply. Clients are told apart by chaddr, not by
/// option 61: on a TAP the MAC is the stable identity.
/// </remarks>
public sealed class DhcpServer
{
    private readonly DhcpServerOptions _options;
    private readonly IAddressAllocator _allocator;

    public DhcpServer(DhcpServerOptions options, IAddressAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(allocator);
        _options = options;
        _allocator = allocator;
    }

    public DhcpServerOptions Options => _options;

    /// <summary>Answers one client message; null when there is nothing to send (a RELEASE, a DECLINE, a message for another server, or one we do not serve).</summary>
    public async ValueTask<DhcpReply?> HandleAsync(DhcpMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Op != BootpOpcode.BootRequest || !request.RelayAddress.Equals(IPAddress.Any)
            || request.ClientMac is not { } mac || request.MessageType is not { } type)
        {
            return null;
        }
        switch (type)
        {
            case DhcpMessageType.Discover:
                IPAddress? offered = await _allocator.AllocateAsync(mac, LeasableOrNull(request.RequestedIPAddress), cancellationToken).ConfigureAwait(false);
                return offered is null ? null : Reply(request, DhcpMessageType.Offer, offered, withLease: true);
            case DhcpMessageType.Request:
                return await HandleRequestAsync(request, mac, cancellationToken).ConfigureAwait(false);
            case DhcpMessageType.Release:
                if (IsForUs(request) && _options.Pool.IsLeasable(request.ClientAddress))
                {
                    await _allocator.ReleaseAsync(mac, request.ClientAddress, cancellationToken).ConfigureAwait(false);
                }
                return null;
            case DhcpMessageType.Decline:
                if (IsForUs(request) && request.RequestedIPAddress is { } declined && _options.Pool.IsLeasable(declined))
                {
                    await _allocator.DeclineAsync(mac, declined, cancellationToken).ConfigureAwait(false);
                }
                return null;
            case DhcpMessageType.Inform:
                // RFC 2131 §4.3.5: configuration only; no yiaddr, no lease time; sent to ciaddr.
                return request.ClientAddress.Equals(IPAddress.Any) ? null : Reply(request, DhcpMessageType.Ack, IPAddress.Any, withLease: false);
            default:
                return null;    // OFFER, ACK and NAK come from servers
        }
    }

    /// <summary>RFC 2131 §4.3.2: the client's state is told by which of server identifier, requested IP and ciaddr it sets.</summary>
    private async ValueTask<DhcpReply?> HandleRequestAsync(DhcpMessage request, PhysicalAddress mac, CancellationToken cancellationToken)
    {
        IPAddress target;
        if (request.ServerIdentifier is { } serverId)
        {
            // SELECTING: an answer to an OFFER; to another server's offer we stay silent.
            if (!serverId.Equals(_options.ServerAddress) || request.RequestedIPAddress is not { } selected)
            {
                return null;
            }
            target = selected;
        }
        else if (request.RequestedIPAddress is { } rebooting)
        {
            target = rebooting;     // INIT-REBOOT: a remembered address, maybe from another network
        }
        else if (!request.ClientAddress.Equals(IPAddress.Any))
        {
            target = request.ClientAddress;     // RENEWING (unicast) or REBINDING (broadcast)
        }
        else
        {
            return null;    // none of the three: not a valid REQUEST
        }

        if (!_options.Pool.IsLeasable(target))
        {
            return Nak(request);
        }
        bool granted = await _allocator.RenewAsync(mac, target, cancellationToken).ConfigureAwait(false);
        return granted ? Reply(request, DhcpMessageType.Ack, target, withLease: true) : Nak(request);
    }

    private IPAddress? LeasableOrNull(IPAddress? requested) =>
        requested is not null && _options.Pool.IsLeasable(requested) ? requested : null;

    private bool IsForUs(DhcpMessage request) =>
        request.ServerIdentifier is not { } serverId || serverId.Equals(_options.ServerAddress);

    private DhcpReply Reply(DhcpMessage request, DhcpMessageType type, IPAddress yourAddress, bool withLease)
    {
        List<DhcpOption> options =
        [
            DhcpOption.FromMessageType(type),
            DhcpOption.FromAddress(DhcpOptionCode.ServerIdentifier, _options.ServerAddress),
        ];
        if (withLease)
        {
            options.Add(DhcpOption.FromUInt32(DhcpOptionCode.LeaseTime, _options.LeaseTime));
            options.Add(DhcpOption.FromUInt32(DhcpOptionCode.RenewalTime, _options.RenewalTime));
            options.Add(DhcpOption.FromUInt32(DhcpOptionCode.RebindingTime, _options.RebindingTime));
        }
        options.Add(DhcpOption.FromAddress(DhcpOptionCode.SubnetMask, _options.Pool.Netmask));
        options.Add(DhcpOption.FromAddress(DhcpOptionCode.Router, _options.ServerAddress));
        options.Add(DhcpOption.FromAddress(DhcpOptionCode.DomainNameServer, _options.ServerAddress));
        options.Add(DhcpOption.FromAscii(DhcpOptionCode.DomainName, _options.DomainName));
        options.Add(DhcpOption.FromUInt16(DhcpOptionCode.InterfaceMtu, _options.Mtu));

        // RFC 2131 table 3: ciaddr is echoed in an ACK (0 in an OFFER); yiaddr is 0 in an ACK to INFORM.
        DhcpMessage message = NewReply(request, options) with
        {
            ClientAddress = type == DhcpMessageType.Offer ? IPAddress.Any : request.ClientAddress,
            YourAddress = yourAddress,
        };

        // RFC 2131 §4.1: to ciaddr if the client has one; else broadcast if it asks; else unicast to yiaddr and chaddr.
        PhysicalAddress clientMac = request.ClientMac!;
        if (!request.ClientAddress.Equals(IPAddress.Any))
        {
            return new DhcpReply(message, request.ClientAddress, clientMac);
        }
        return request.IsBroadcast
            ? new DhcpReply(message, IPAddress.Broadcast, DhcpReply.BroadcastMac)
            : new DhcpReply(message, yourAddress, clientMac);
    }

    /// <summary>RFC 2131 §4.1: with giaddr zero, a NAK is always broadcast.</summary>
    private DhcpReply Nak(DhcpMessage request)
    {
        DhcpMessage message = NewReply(request,
        [
            DhcpOption.FromMessageType(DhcpMessageType.Nak),
            DhcpOption.FromAddress(DhcpOptionCode.ServerIdentifier, _options.ServerAddress),
        ]);
        return new DhcpReply(message, IPAddress.Broadcast, DhcpReply.BroadcastMac);
    }

    private static DhcpMessage NewReply(DhcpMessage request, List<DhcpOption> options) => new DhcpMessage
    {
        Op = BootpOpcode.BootReply,
        HardwareType = request.HardwareType,
        HardwareAddressLength = request.HardwareAddressLength,
        TransactionId = request.TransactionId,
        Flags = request.Flags,
        RelayAddress = request.RelayAddress,
        ClientHardwareAddress = request.ClientHardwareAddress.ToArray(),
        Options = options,
    }.PadToBootpMinimum();
}
