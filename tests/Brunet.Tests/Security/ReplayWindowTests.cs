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

    [Test]
    public void TryAccept_RandomTraffic_MatchesTheDefinition()
    {
        // Mostly in order (no bitmap yet), then gaps, duplicates, late and very late packets: each answer must be the
        // definition's: not seen before, and not Size or more below the highest counter seen.
        var random = new Random(5);
        for (int round = 0; round < 40; round++)
        {
            var window = new ReplayWindow();
            var seen = new HashSet<ulong>();
            ulong highest = 0;
            ulong next = round % 4 == 0 ? (ulong)random.Next(1, 3) : 0;
            for (int i = 0; i < 3000; i++)
            {
                ulong counter = (i < 100 * (round % 5) || random.Next(4) > 0) ? next++
                    : random.Next(3) switch
                    {
                        0 => next + (ulong)random.Next(1, 3000),
                        1 => highest - Math.Min(highest, (ulong)random.Next(0, 2 * ReplayWindow.Size)),
                        _ => highest - Math.Min(highest, (ulong)random.Next(0, 70)),
                    };
                bool expected = !seen.Contains(counter) && (seen.Count == 0 || counter > highest || highest - counter < ReplayWindow.Size);
                Assert.That(window.TryAccept(counter), Is.EqualTo(expected), $"round {round}, packet {i}, counter {counter}, highest {highest}");
                if (expected)
                {
                    seen.Add(counter);
                    highest = Math.Max(highest, counter);
                    next = Math.Max(next, counter + 1);
                }
            }
        }
    }
}
