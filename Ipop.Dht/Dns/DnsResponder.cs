using System.Net;
using Brunet.Messaging;
using Brunet.Security.Certificates;

namespace Ipop.Dht.Dns;

/// <summary>
/// Answers DNS queries for <c>&lt;hostname&gt;.ipop</c> on the virtual gateway (UDP 53 on the TAP). Pure: the caller
/// reads the datagram, calls <see cref="AnswerAsync"/>, and sends back the bytes it wrote.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A (or ANY) for <c>host.ipop</c>: one A record from <see cref="IHostResolver"/>, TTL <see cref="TtlSeconds"/>;
/// NXDOMAIN when the resolver knows no such host, or the name is not a single valid host label before <c>.ipop</c>
/// (e.g. <c>a.b.ipop</c>); SERVFAIL when the resolver fails or takes longer than <see cref="ResolveTimeout"/>.</item>
/// <item>AAAA and every other type for a <c>.ipop</c> name: an empty NOERROR answer without a lookup (the VPN is
/// IPv4 only; resolvers ask A and AAAA together and must not wait twice).</item>
/// <item>Any name not under <c>.ipop</c>: REFUSED. We are no recursive resolver; REFUSED makes a stub resolver try its
/// next server at once, where NXDOMAIN would make it give up on the name.</item>
/// <item>An OPCODE other than QUERY: NOTIMP. A class other than IN: REFUSED. A malformed query with a readable header:
/// FORMERR. Less than a header, or a response: nothing (0 bytes; drop it).</item>
/// </list>
/// </remarks>
public sealed class DnsResponder(IHostResolver resolver, TimeProvider? time = null)
{
    /// <summary>The top-level label we answer for.</summary>
    public const string Suffix = "ipop";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <remarks>Defaults to 60 s: leases are renewed long before, and a moved host is found again within a minute.</remarks>
    public uint TtlSeconds { get; init; } = 60;

    /// <remarks>Defaults to 3 s, under the 5 s a stub resolver waits before it retries.</remarks>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Writes the response to <paramref name="query"/> into <paramref name="response"/> (at least
    /// <see cref="DnsResponseWriter.MinBufferSize"/> bytes) and returns its length; 0 means send nothing.
    /// </summary>
    public ValueTask<int> AnswerAsync(ReadOnlyMemory<byte> query, Memory<byte> response, CancellationToken cancellationToken = default)
    {
        if (response.Length < DnsResponseWriter.MinBufferSize)
        {
            throw new ArgumentException($"A DNS response buffer has at least {DnsResponseWriter.MinBufferSize} bytes.", nameof(response));
        }
        if (!DnsHeader.TryRead(query.Span, out DnsHeader header) || header.IsResponse)
        {
            return ValueTask.FromResult(0);
        }
        DnsQuery parsed;
        try
        {
            parsed = DnsQuery.Read(query.Span);
        }
        catch (WireFormatException)
        {
            // A malformed query still gets an answer, so the client stops waiting (RFC 1035 §4.1.1 FORMERR).
            return ValueTask.FromResult(Write(response, header, null, DnsResponseCode.FormatError, null, edns: false));
        }
        DnsQuestion question = parsed.Question;
        if (header.Opcode != 0)
        {
            return ValueTask.FromResult(Write(response, header, question, DnsResponseCode.NotImplemented, null, parsed.HasEdns));
        }
        if (question.Class != DnsQuestion.InternetClass || !question.Name.EndsWith(Suffix))
        {
            return ValueTask.FromResult(Write(response, header, question, DnsResponseCode.Refused, null, parsed.HasEdns));
        }
        IReadOnlyList<string> labels = question.Name.Labels;
        if (labels.Count != 2 || !CertificateNames.IsValid(labels[0]))
        {
            return ValueTask.FromResult(Write(response, header, question, DnsResponseCode.NameError, null, parsed.HasEdns));
        }
        if (question.Type is not (DnsRecordType.A or DnsRecordType.Any))
        {
            return ValueTask.FromResult(Write(response, header, question, DnsResponseCode.NoError, null, parsed.HasEdns));
        }
        return ResolveAsync(parsed, labels[0].ToLowerInvariant(), response, cancellationToken);
    }

    private async ValueTask<int> ResolveAsync(DnsQuery query, string hostName, Memory<byte> response, CancellationToken cancellationToken)
    {
        IPAddress? address;
        using (var timeout = new CancellationTokenSource(ResolveTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                address = await resolver.ResolveAsync(hostName, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Write(response, query.Header, query.Question, DnsResponseCode.ServerFailure, null, query.HasEdns);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The DHT failed (no route, timeout inside it): SERVFAIL tells the client to retry later.
                return Write(response, query.Header, query.Question, DnsResponseCode.ServerFailure, null, query.HasEdns);
            }
        }
        if (address is not null && address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address is null || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return Write(response, query.Header, query.Question, DnsResponseCode.NameError, null, query.HasEdns);
        }
        return Write(response, query.Header, query.Question, DnsResponseCode.NoError, address, query.HasEdns);
    }

    private int Write(Memory<byte> response, DnsHeader header, DnsQuestion? question, DnsResponseCode code, IPAddress? answer, bool edns) =>
        DnsResponseWriter.Write(response.Span, header, question, code, answer, TtlSeconds, edns);
}
