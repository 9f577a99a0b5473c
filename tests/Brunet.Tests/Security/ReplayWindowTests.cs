using Brunet.Security;

namespace Brunet.Tests.Security;

public sealed class ReplayWindowTests
{
    [Test]
    public void TryAccept_Duplicate_Refused()
    {
        var window = new ReplayWindow();
        Assert.That(window.TryAccept(0), Is.True);
        Assert.That(window.TryAccept(0), Is.False);
        Assert.That(window.TryAccept(5), Is.True);
        Assert.That(window.TryAccept(3), Is.True);
        Assert.That(window.TryAccept(3), Is.False);
        Assert.That(window.TryAccept(5), Is.False);
    }

    [Test]
    public void TryAccept_TooOld_RefusedAndEdgeOfWindowAccepted()
    {
        var window = new ReplayWindow();
        Assert.That(window.TryAccept(10_000), Is.True);
        Assert.That(window.TryAccept(10_000 - ReplayWindow.Size), Is.False, "exactly Size below the highest");
        Assert.That(window.TryAccept(10_000 - ReplayWindow.Size + 1), Is.True, "the oldest counter still inside");
    }

    [Test]
    public void TryAccept_BigJump_ForgetsOldBitsButNotNewOnes()
    {
        var window = new ReplayWindow();
        for (ulong c = 0; c < 100; c++)
        {
            Assert.That(window.TryAccept(c), Is.True);
        }
        Assert.That(window.TryAccept(100 + ReplayWindow.Size + 64), Is.True);
        // A counter that reuses the same bitmap slot as an old one must be accepted once.
        Assert.That(window.TryAccept(100 + ReplayWindow.Size + 64 - 10), Is.True);
        Assert.That(window.TryAccept(100 + ReplayWindow.Size + 64 - 10), Is.False);
        Assert.That(window.TryAccept(50), Is.False, "far too old");
    }

    [Test]
    public void TryAccept_ShuffledCountersInsideTheWindow_EachAcceptedOnce()
    {
        var random = new Random(7);
        ulong[] counters = [.. Enumerable.Range(0, 1500).Select(i => (ulong)i).OrderBy(_ => random.Next())];
        var window = new ReplayWindow();

        Assert.That(counters.Count(window.TryAccept), Is.EqualTo(1500));
        Assert.That(counters.Count(window.TryAccept), Is.Zero);
    }

    [Test]
    public void TryAccept_MaxCounter_Works()
    {
        var window = new ReplayWindow();
        Assert.That(window.TryAccept(ulong.MaxValue - 1), Is.True);
        Assert.That(window.TryAccept(ulong.MaxValue - 1), Is.False);
    }
}
