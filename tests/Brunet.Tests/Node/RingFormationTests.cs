using Brunet.Addressing;

namespace Brunet.Tests.Node;

[NonParallelizable]
public class RingFormationTests
{
    [Test]
    public async Task Join_EightNodesInMemory_FormCorrectRing()
    {
        await using RingHarness ring = RingHarness.Memory();
        for (int i = 0; i < 8; i++)
        {
            ring.AddNode();
        }
        TimeSpan took = await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine($"8 nodes consistent after {took.TotalSeconds:F1} s");
    }

    [Test]
    public async Task Join_ThirtyTwoNodesOverUdp_FormCorrectRing()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 32; i++)
        {
            ring.AddNode();
        }
        TimeSpan took = await ring.WaitForRingAsync(TimeSpan.FromSeconds(40));
        TestContext.Out.WriteLine($"32 nodes consistent after {took.TotalSeconds:F1} s");
    }
}
