using System.Buffers.Binary;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging;
using Brunet.Routing;
using Brunet.Tests.Connections;

namespace Brunet.Tests.Linking;

public class LinkListTests
{
    private static Address High(ulong prefix, uint low = 0) => new((UInt128)prefix << 64, low);

    [Test]
    public void Encode_Table_GivesDistinctAscendingPrefixesThatDecodeBack()
    {
        ConnectionTable table = ConnectionTable.Empty(High(50));
        foreach (Address peer in new[] { High(900), High(7), High(ulong.MaxValue), High(7, 4), High(300) })
        {
            table = table.With(NullConnectionEdge.Link(peer));
        }
        byte[] body = LinkList.Encode(table);
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(body), Is.EqualTo(4), "two peers with one prefix are sent once");
        Assert.That(body, Has.Length.EqualTo(2 + (4 * 8)));
        Assert.That(LinkList.Decode(body), Is.EqualTo(new ulong[] { 7, 300, 900, ulong.MaxValue }));
    }

    [Test]
    public void Encode_EmptyTable_IsAnEmptyList()
    {
        byte[] body = LinkList.Encode(ConnectionTable.Empty(High(1)));
        Assert.That(LinkList.Decode(body), Is.Empty);
    }

    private static byte[] Body(int count, params ulong[] prefixes)
    {
        byte[] body = new byte[2 + (8 * prefixes.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)count);
        for (int i = 0; i < prefixes.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(2 + (8 * i)), prefixes[i]);
        }
        return body;
    }

    [Test]
    public void Decode_HostileBodies_AreRefusedWithTheReason()
    {
        Assert.That(() => LinkList.Decode([]), Throws.TypeOf<WireFormatException>(), "no count");
        Assert.That(() => LinkList.Decode(Body(3, 1, 2)), Throws.TypeOf<WireFormatException>().With.Message.Contains("need 24 bytes"));
        Assert.That(() => LinkList.Decode([.. Body(2, 1, 2), 0]), Throws.TypeOf<WireFormatException>(), "a trailing byte");
        Assert.That(() => LinkList.Decode(Body(2, 5, 5)), Throws.TypeOf<WireFormatException>().With.Message.Contains("ascend"));
        Assert.That(() => LinkList.Decode(Body(2, 9, 5)), Throws.TypeOf<WireFormatException>().With.Message.Contains("ascend"));
        ulong[] many = [.. Enumerable.Range(1, LinkList.MaxCount + 1).Select(i => (ulong)i)];
        Assert.That(() => LinkList.Decode(Body(many.Length, many)), Throws.TypeOf<WireFormatException>().With.Message.Contains("limit"));
        Assert.That(LinkList.Decode(Body(LinkList.MaxCount, many[..LinkList.MaxCount])), Has.Length.EqualTo(LinkList.MaxCount));
    }

    [Test]
    public void NearestDistance_FindsTheNearestEitherWayRoundTheRing()
    {
        ulong[] sorted = [100, 1000, ulong.MaxValue - 10];
        Assert.That(LinkPrefixes.NearestDistance(sorted, 1000), Is.EqualTo(0UL));
        Assert.That(LinkPrefixes.NearestDistance(sorted, 560), Is.EqualTo(440UL), "the one after");
        Assert.That(LinkPrefixes.NearestDistance(sorted, 540), Is.EqualTo(440UL), "the one before");
        Assert.That(LinkPrefixes.NearestDistance(sorted, 5), Is.EqualTo(16UL), "before the first: the last, across zero");
        Assert.That(LinkPrefixes.NearestDistance(sorted, ulong.MaxValue), Is.EqualTo(10UL), "after the last");
        Assert.That(LinkPrefixes.NearestDistance([], 5), Is.EqualTo(ulong.MaxValue));
        Assert.That(LinkPrefixes.Distance(ulong.MaxValue, 1), Is.EqualTo(2UL));
        Assert.That(LinkPrefixes.NearestDistance(sorted, 1000, skip: 1000), Is.EqualTo(900UL), "the skipped one does not count");
        Assert.That(LinkPrefixes.NearestDistance(sorted, 990, skip: 1000), Is.EqualTo(890UL));
        Assert.That(LinkPrefixes.NearestDistance(sorted, 3, skip: 100), Is.EqualTo(14UL), "across zero, past the skipped one");
        Assert.That(LinkPrefixes.NearestDistance([7], 7, skip: 7), Is.EqualTo(ulong.MaxValue), "only the skipped one");
    }
}
