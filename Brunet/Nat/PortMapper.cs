using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Nat;

/// <summary>
/// Maps one local port on the default gateway, trying PCP (RFC 6887), NAT-PMP (RFC 6886), then UPnP IGD; renews the
/// mapping before its lifetime ends and removes it on dispose. A gateway that answers none of them within the
/// options' budgets (about 2 s) leaves the mapper idle: <see cref="StartAsync"/> returns null and nothing is logged
/// above debug.
/// </summary>
public sealed class PortMapper : IAsyncDisposable
{
    private readonly IPAddress _gateway;
    private readonly ushort _internalPort;
    private readonly MappingProtocol _protocol;
    private readonly PortMapperOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[] _pcpNonce = RandomNumberGenerator.GetBytes(Pcp.NonceSize);
    private readonly CancellationTokenSource _stop = new();
    private UpnpService? _upnp;
    private ITimer? _renewTimer;
    private PortMapping? _current;
    private int _disposed;

    public PortMapper(
        IPAddress gateway, ushort internalPort, MappingProtocol protocol = MappingProtocol.Udp,
        PortMapperOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _gateway = gateway;
        _internalPort = internalPort;
        _protocol = protocol;
        _options = options ?? new PortMapperOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The mapping held now, or null.</summary>
    public PortMapping? Current => Volatile.Read(ref _current);

    /// <summary>Raised (on a pool thread) when a mapping is made or its external address changes.</summary>
    public event Action<PortMapping>? Mapped;

    /// <summary>Makes the mapping; null when no method got an answer. Renewal runs on its own after a success.</summary>
    public async Task<PortMapping?> StartAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        foreach (PortMappingMethod method in _options.Methods)
        {
            PortMapping? mapping = await TryMapAsync(method, _internalPort, linked.Token).ConfigureAwait(false);
            if (mapping is not null)
            {
                Accept(mapping);
                return mapping;
            }
        }
        NatLog.Unavailable(_logger, _gateway.ToString());
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _renewTimer?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _current, null) is { } mapping)
        {
            try
            {
                await RemoveAsync(mapping, CancellationToken.None).ConfigureAwait(false);
                NatLog.Unmapped(_logger, mapping.External.ToString());
            }
            catch (Exception e) when (e is SocketException or HttpRequestException or OperationCanceledException or IOException)
            {
                NatLog.MethodFailed(_logger, _gateway.ToString(), mapping.Method.ToString(), $"removal: {e.Message}");
            }
        }
        _stop.Dispose();
    }

    private void Accept(PortMapping mapping)
    {
        PortMapping? old = Interlocked.Exchange(ref _current, mapping);
        NatLog.PortMapped(_logger, mapping.Method.ToString(), mapping.External.ToString(), $"{mapping.InternalClient}:{mapping.InternalPort}", mapping.Lifetime);
        ScheduleRenewal(mapping.Lifetime / 2);
        if (old is null || !old.External.Equals(mapping.External))
        {
            Mapped?.Invoke(mapping);
        }
    }

    private void ScheduleRenewal(TimeSpan after)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        _renewTimer?.Dispose();
        _renewTimer = _time.CreateTimer(_ => _ = RenewAsync(), null, after, Timeout.InfiniteTimeSpan);
    }

    private async Task RenewAsync()
    {
        if (Current is not { } mapping || _stop.IsCancellationRequested)
        {
            return;
        }
        try
        {
            PortMapping? renewed = await TryMapAsync(mapping.Method, (ushort)mapping.External.Port, _stop.Token).ConfigureAwait(false);
            if (renewed is not null)
            {
                Accept(renewed);
                return;
            }
            NatLog.RenewFailed(_logger, mapping.Method.ToString(), "no answer");
        }
        catch (OperationCanceledException)
        {
            return;   // disposed
        }
        ScheduleRenewal(_options.RetryAfterFailure);
    }

    private async Task<PortMapping?> TryMapAsync(PortMappingMethod method, ushort suggestedExternal, CancellationToken cancellationToken)
    {
        try
        {
            return method switch
            {
                PortMappingMethod.Pcp => await MapPcpAsync(suggestedExternal, _options.RequestedLifetimeSeconds, cancellationToken).ConfigureAwait(false),
                PortMappingMethod.NatPmp => await MapNatPmpAsync(suggestedExternal, _options.RequestedLifetimeSeconds, cancellationToken).ConfigureAwait(false),
                _ => await MapUpnpAsync(suggestedExternal, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            NatLog.MethodFailed(_logger, _gateway.ToString(), method.ToString(), e.Message);
            return null;
        }
    }

    private Task RemoveAsync(PortMapping mapping, CancellationToken cancellationToken) => mapping.Method switch
    {
        PortMappingMethod.Pcp => MapPcpAsync(0, 0, cancellationToken),
        PortMappingMethod.NatPmp => MapNatPmpAsync(0, 0, cancellationToken),
        _ => SoapAsync(_upnp!, "DeletePortMapping",
            UpnpIgd.DeletePortMappingBody(_upnp!.ServiceType, _protocol, (ushort)mapping.External.Port), cancellationToken),
    };

    /// <summary>PCP MAP; lifetime 0 deletes (RFC 6887 §15). Null when the gateway does not answer in PCP.</summary>
    private async Task<PortMapping?> MapPcpAsync(ushort suggestedExternal, uint lifetime, CancellationToken cancellationToken)
    {
        using Socket socket = ConnectedSocket(Pcp.ServerPort, out IPAddress client);
        byte[] request = new byte[Pcp.MapMessageSize];
        Pcp.WriteMapRequest(request, _pcpNonce, _protocol, _internalPort, client, suggestedExternal, null, lifetime);
        PcpMapResponse response = default;
        byte[]? reply = await ExchangeAsync(socket, request, r => Pcp.TryReadMapResponse(r, out response) && response.Nonce.AsSpan().SequenceEqual(_pcpNonce), cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return null;
        }
        if (response.Result != PcpResultCode.Success)
        {
            throw new IOException($"PCP result {response.Result}");
        }
        return new PortMapping(PortMappingMethod.Pcp, _protocol, new IPEndPoint(response.ExternalAddress, response.ExternalPort), client, _internalPort, TimeSpan.FromSeconds(response.LifetimeSeconds));
    }

    /// <summary>NAT-PMP: the external address, then the mapping; lifetime 0 deletes (RFC 6886 §3.4).</summary>
    private async Task<PortMapping?> MapNatPmpAsync(ushort suggestedExternal, uint lifetime, CancellationToken cancellationToken)
    {
        using Socket socket = ConnectedSocket(NatPmp.ServerPort, out IPAddress client);
        IPAddress? external = null;
        if (lifetime != 0)
        {
            byte[] addressRequest = new byte[NatPmp.ExternalAddressRequestSize];
            NatPmp.WriteExternalAddressRequest(addressRequest);
            NatPmpResultCode addressResult = default;
            byte[]? addressReply = await ExchangeAsync(socket, addressRequest, r => NatPmp.TryReadExternalAddressResponse(r, out addressResult, out _, out external), cancellationToken).ConfigureAwait(false);
            if (addressReply is null)
            {
                return null;
            }
            if (addressResult != NatPmpResultCode.Success || external is null)
            {
                throw new IOException($"NAT-PMP external address result {addressResult}");
            }
        }
        byte[] request = new byte[NatPmp.MapRequestSize];
        NatPmp.WriteMapRequest(request, _protocol, _internalPort, lifetime == 0 ? (ushort)0 : suggestedExternal, lifetime);
        NatPmpMapResponse response = default;
        byte[]? reply = await ExchangeAsync(socket, request, r => NatPmp.TryReadMapResponse(r, _protocol, out response) && response.InternalPort == _internalPort, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return null;
        }
        if (response.Result != NatPmpResultCode.Success)
        {
            throw new IOException($"NAT-PMP result {response.Result}");
        }
        return new PortMapping(PortMappingMethod.NatPmp, _protocol, new IPEndPoint(external ?? IPAddress.Any, response.ExternalPort), client, _internalPort, TimeSpan.FromSeconds(response.LifetimeSeconds));
    }

    /// <summary>UPnP IGD: SSDP search, device description, GetExternalIPAddress, AddPortMapping.</summary>
    private async Task<PortMapping?> MapUpnpAsync(ushort suggestedExternal, CancellationToken cancellationToken)
    {
        _upnp ??= await DiscoverUpnpAsync(cancellationToken).ConfigureAwait(false);
        if (_upnp is not { } service)
        {
            return null;
        }
        IPAddress client = LocalAddressTowardsGateway();
        string ipReply = await SoapAsync(service, "GetExternalIPAddress", UpnpIgd.GetExternalIPAddressBody(service.ServiceType), cancellationToken).ConfigureAwait(false);
        if (!IPAddress.TryParse(UpnpIgd.ParseResponseArgument(ipReply, "NewExternalIPAddress"), out IPAddress? external))
        {
            throw new IOException("UPnP GetExternalIPAddress: no address in the reply");
        }
        ushort externalPort = suggestedExternal == 0 ? _internalPort : suggestedExternal;
        uint lease = _options.RequestedLifetimeSeconds;
        await SoapAsync(service, "AddPortMapping",
            UpnpIgd.AddPortMappingBody(service.ServiceType, _protocol, externalPort, client, _internalPort, _options.Description, lease), cancellationToken).ConfigureAwait(false);
        return new PortMapping(PortMappingMethod.Upnp, _protocol, new IPEndPoint(external, externalPort), client, _internalPort, TimeSpan.FromSeconds(lease));
    }

    private async Task<UpnpService?> DiscoverUpnpAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        byte[] search = UpnpIgd.SearchRequest(1);
        // Multicast as the spec says, and unicast to the gateway too: some routers answer only one of them.
        await socket.SendToAsync(search, SocketFlags.None, UpnpIgd.SsdpMulticast, cancellationToken).ConfigureAwait(false);
        await socket.SendToAsync(search, SocketFlags.None, new IPEndPoint(_gateway, UpnpIgd.SsdpMulticast.Port), cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.UpnpBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] buffer = new byte[4096];
        using var http = new HttpClient { Timeout = _options.UpnpBudget };
        try
        {
            while (true)
            {
                SocketReceiveFromResult received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), linked.Token).ConfigureAwait(false);
                if (UpnpIgd.ParseSearchResponse(buffer.AsSpan(0, received.ReceivedBytes)) is not { } location)
                {
                    continue;
                }
                string description = await http.GetStringAsync(location, cancellationToken).ConfigureAwait(false);
                if (UpnpIgd.ParseDescription(description, location) is { } service)
                {
                    return service;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<string> SoapAsync(UpnpService service, string action, string body, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = _options.UpnpBudget };
        using var content = new StringContent(body, Encoding.UTF8, "text/xml");
        using var request = new HttpRequestMessage(HttpMethod.Post, service.ControlUrl) { Content = content };
        request.Headers.TryAddWithoutValidation("SOAPAction", UpnpIgd.SoapAction(service.ServiceType, action));
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"UPnP {action}: HTTP {(int)response.StatusCode}, error {UpnpIgd.ParseFaultCode(text)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        }
        return text;
    }

    /// <summary>A UDP socket connected to the gateway, so an ICMP port-unreachable ends the wait at once.</summary>
    private Socket ConnectedSocket(int port, out IPAddress local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(new IPEndPoint(_gateway, port));
            local = ((IPEndPoint)socket.LocalEndPoint!).Address;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private IPAddress LocalAddressTowardsGateway()
    {
        using Socket socket = ConnectedSocket(Pcp.ServerPort, out IPAddress local);
        return local;
    }

    /// <summary>
    /// Sends <paramref name="request"/>, resending after 250 ms and doubling (RFC 6886 §3.1), until a reply passes
    /// <paramref name="accept"/> or the budget runs out (null). A refused port (ICMP) ends it at once (null).
    /// </summary>
    private async Task<byte[]?> ExchangeAsync(Socket socket, byte[] request, Func<byte[], bool> accept, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1100];   // RFC 6887 §7: PCP messages are at most 1100 bytes
        long started = _time.GetTimestamp();
        TimeSpan wait = TimeSpan.FromMilliseconds(250);
        while (_time.GetElapsedTime(started) < _options.PmpBudget)
        {
            TimeSpan left = _options.PmpBudget - _time.GetElapsedTime(started);
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(wait < left ? wait : left, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                while (true)
                {
                    int length = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
                    byte[] reply = buffer.AsSpan(0, length).ToArray();
                    if (accept(reply))
                    {
                        return reply;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                wait *= 2;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                return null;
            }
        }
        return null;
    }
}
