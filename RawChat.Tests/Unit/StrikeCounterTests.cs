using System.Diagnostics;
using NUnit.Framework;
using RawChat.Core.Limits;

namespace RawChat.Tests.Unit;

/// <summary>Refusals for going over a budget close the connection once they pile up without a quiet second.</summary>
public sealed class StrikeCounterTests
{
    private long _now = 1_000_000;

    [Test]
    public void Refusals_without_a_quiet_second_reach_the_limit_however_slowly_they_come()
    {
        var strikes = new StrikeCounter(() => _now);

        for (var i = 1; i < 20; i++)
        {
            Assert.That(strikes.Strike(20), Is.False, $"refusal {i}");
            Advance(TimeSpan.FromMilliseconds(900)); // a frame the refilling budget lets through meanwhile does not reset them
        }

        Assert.That(strikes.Strike(20), Is.True, "the twentieth closes the connection");
    }

    [Test]
    public void A_quiet_second_forgets_the_refusals()
    {
        var strikes = new StrikeCounter(() => _now);
        for (var i = 0; i < 19; i++)
        {
            strikes.Strike(20);
        }

        Advance(TimeSpan.FromMilliseconds(1100));

        Assert.That(strikes.Strike(20), Is.False, "counting starts again");
        for (var i = 0; i < 18; i++)
        {
            Assert.That(strikes.Strike(20), Is.False);
        }

        Assert.That(strikes.Strike(20), Is.True);
    }

    private void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * Stopwatch.Frequency);
}
