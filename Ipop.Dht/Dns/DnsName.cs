using System.Text;
using Brunet.Messaging;

namespace Ipop.Dht.Dns;

/// <summary>
/// A domain name as its labels (RFC 1035 §3.1), read with message compression (§4.1.4) and written without it.
/// Reading checks every length: a label at most 63 bytes, a name at most 255 bytes in wire form, a compression pointer
/// only backwards and at most <see cref="MaxPointers"/> of them, so a pointer loop is refused, never followed forever.
/// </summary>
public sealed class DnsName
{
    public const int MaxLabelLength = 63;
    public const int MaxLength = 255;

    /// <summary>More pointers than a 255-byte name could need (each label costs at least 2 bytes).</summary>
    public const int MaxPointers = 127;

    private readonly string[] _labels;

    public DnsName(IReadOnlyList<string> labels)
    {
        int length = 1;
        foreach (string label in labels)
        {
            if (label.Length is 0 or > MaxLabelLength || !Ascii.IsValid(label))
            {
                throw new ArgumentException($"A DNS label has 1-63 ASCII characters; got '{label}'.", nameof(labels));
            }
            length += 1 + label.Length;
        }
        if (length > MaxLength)
        {
            throw new ArgumentException("A DNS name has at most 255 bytes.", nameof(labels));
        }
        _labels = [.. labels];
        WireLength = length;
    }

    /// <summary>The labels as sent (case kept); the root name has none.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Bytes of the uncompressed wire form, the final zero included.</summary>
    public int WireLength { get; }

    public static DnsName Parse(string dotted) =>
        new(dotted.TrimEnd('.').Split('.', StringSplitOptions.None) is [""] ? [] : dotted.TrimEnd('.').Split('.'));

    /// <summary>Reads a name at <paramref name="offset"/> of <paramref name="message"/>; <paramref name="offset"/> moves past it (past the first pointer, if any).</summary>
    public static DnsName Read(ReadOnlySpan<byte> message, ref int offset)
    {
        var labels = new List<string>();
        int position = offset;
        int end = -1;            // where the caller continues: after the first pointer, or after the final zero
        int pointers = 0;
        int length = 1;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
            {
                WireViolation.ThrowTruncated("a DNS name");
            }
            byte lengthByte = message[position];
            switch (lengthByte & 0xC0)
            {
                case 0x00:
                    if (lengthByte == 0)
                    {
                        offset = end >= 0 ? end : position + 1;
                        return new DnsName(labels, length);
                    }
                    if (position + 1 + lengthByte > message.Length)
                    {
                        WireViolation.ThrowTruncated("a DNS label");
                    }
                    length += 1 + lengthByte;
                    if (length > MaxLength)
                    {
                        WireViolation.ThrowTooLong("a DNS name", length, MaxLength);
                    }
                    labels.Add(Encoding.Latin1.GetString(message.Slice(position + 1, lengthByte)));
                    position += 1 + lengthByte;
                    break;
                case 0xC0:
                    if (position + 2 > message.Length)
                    {
                        WireViolation.ThrowTruncated("a DNS compression pointer");
                    }
                    int target = ((lengthByte & 0x3F) << 8) | message[position + 1];
                    if (target >= position)
                    {
                        WireViolation.Throw($"a DNS compression pointer at {position} points forward to {target} (a loop?)");
                    }
                    if (++pointers > MaxPointers)
                    {
                        WireViolation.Throw("a DNS name follows too many compression pointers (a loop?)");
                    }
                    if (end < 0)
                    {
                        end = position + 2;
                    }
                    position = target;
                    break;
                default:
                    WireViolation.Throw($"a DNS label type 0x{lengthByte & 0xC0:x2} is not supported (RFC 6891 §5)");
                    break;
            }
        }
    }

    /// <summary>Writes the uncompressed wire form; returns <see cref="WireLength"/>.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (destination.Length < WireLength)
        {
            throw new ArgumentException("The buffer is too small for this DNS name.", nameof(destination));
        }
        int offset = 0;
        foreach (string label in _labels)
        {
            destination[offset++] = (byte)label.Length;
            offset += Encoding.Latin1.GetBytes(label, destination[offset..]);
        }
        destination[offset++] = 0;
        return offset;
    }

    /// <summary>True when the last labels are <paramref name="suffix"/>, compared as ASCII without case (RFC 4343).</summary>
    public bool EndsWith(string suffix) =>
        _labels.Length > 0 && string.Equals(_labels[^1], suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The dotted form without the trailing dot ("." for the root).</summary>
    public override string ToString() => _labels.Length == 0 ? "." : string.Join('.', _labels);

    private DnsName(List<string> labels, int wireLength)
    {
        _labels = [.. labels];
        WireLength = wireLength;
    }
}
