using System.Net;
using Brunet.Transport;

namespace Brunet.Config;

/// <summary>
/// One <c>&lt;EdgeListener type="udp|tcp"&gt;&lt;port&gt;40000&lt;/port&gt;&lt;/EdgeListener&gt;</c>.
/// </summary>
/// <param name="Kind"><see cref="TransportKind.Udp"/> or <see cref="TransportKind.Tcp"/>.</param>
/// <param name="Port">0..65535; 0 asks the operating system for an ephemeral port.</param>
/// <param name="BindAddress">
/// From the optional <c>&lt;address&gt;</c> child (our addition to Brunet's element); defaults to
/// <see cref="IPAddress.Any"/>, every IPv4 interface.
/// </param>
public sealed record EdgeListenerConfig(TransportKind Kind, int Port, IPAddress BindAddress);
