using System.Diagnostics;
using NUnit.Framework;
using RawChat.Core.Limits;

namespace RawChat.Tests.Unit;

/// <summary>The per-connection post rate (docs/protocol.md §3.5), on a clock the test moves by hand.</summary>
public sealed class TokenBucketTests
{
    private long _now = 1_000_000;

    [Test]
    public void A_new_bucket_allows_a_full_burst_then_refuses()
    {
        var bucket = new TokenBucket(rate: 1, burst: 3, Clock);

        Assert.That(TakeMany(bucket, 3), Is.EqualTo(3));
        Assert.That(bucket.TryTake(), Is.False);
    }

    [Test]
    public void A_stall_of_the_servers_is_made_up_beyond_the_burst()
    {
        var bucket = new TokenBucket(rate: 10, burst: 5, Clock);
        TakeMany(bucket, 5);
        Advance(TimeSpan.FromSeconds(3)); // the server did not read for 3 s: 30 frames were sent at the allowed rate

        bucket.Credit(TimeSpan.FromSeconds(3));

        Assert.That(TakeMany(bucket, 100), Is.EqualTo(35), "the burst of 5, plus 30 for the stall");
    }

    [Test]
    public void A_credit_not_used_soon_expires()
    {
        var bucket = new TokenBucket(rate: 10, burst: 5, Clock);
        TakeMany(bucket, 5);
        bucket.Credit(TimeSpan.FromSeconds(3));

        Advance(TimeSpan.FromSeconds(10));

        Assert.That(TakeMany(bucket, 100), Is.EqualTo(5), "only the refilled burst");
    }

    [Test]
    public void Credit_is_capped_at_thirty_seconds_of_rate()
    {
        var bucket = new TokenBucket(rate: 1, burst: 1, Clock);
        TakeMany(bucket, 1);

        bucket.Credit(TimeSpan.FromHours(1));

        Assert.That(TakeMany(bucket, 1000), Is.EqualTo(30));
    }

    [Test]
    public void One_second_at_one_per_second_gives_back_one_token()
    {
        var bucket = new TokenBucket(rate: 1, burst: 3, Clock);
        TakeMany(bucket, 3);

        Advance(TimeSpan.FromSeconds(1));

        Assert.That(bucket.TryTake(), Is.True);
        Assert.That(bucket.TryTake(), Is.False);
    }

    [Test]
    public void Half_a_token_is_not_enough_and_is_kept_for_later()
    {
        var bucket = new TokenBucket(rate: 1, burst: 1, Clock);
        Assert.That(bucket.TryTake(), Is.True);

        Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(bucket.TryTake(), Is.False);

        Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(bucket.TryTake(), Is.True);
    }

    [Test]
    public void The_bucket_never_holds_more_than_the_burst()
    {
        var bucket = new TokenBucket(rate: 20, burst: 40, Clock);
        TakeMany(bucket, 40);

        Advance(TimeSpan.FromHours(1));

        Assert.That(TakeMany(bucket, 100), Is.EqualTo(40));
    }

    [Test]
    public void Tokens_refill_at_the_configured_rate()
    {
        var bucket = new TokenBucket(rate: 20, burst: 40, Clock);
        TakeMany(bucket, 40);

        Advance(TimeSpan.FromMilliseconds(100));

        Assert.That(TakeMany(bucket, 10), Is.EqualTo(2));
    }

    [Test]
    public void Refused_attempts_do_not_use_up_tokens()
    {
        var bucket = new TokenBucket(rate: 1, burst: 2, Clock);
        TakeMany(bucket, 2);
        for (var i = 0; i < 10; i++)
        {
            Assert.That(bucket.TryTake(), Is.False);
        }

        Advance(TimeSpan.FromSeconds(2));

        Assert.That(TakeMany(bucket, 5), Is.EqualTo(2));
    }

    [Test]
    public void Without_time_passing_nothing_refills()
    {
        var bucket = new TokenBucket(rate: 1000, burst: 5, Clock);

        Assert.That(TakeMany(bucket, 50), Is.EqualTo(5));
    }

    private long Clock() => _now;

    private void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * Stopwatch.Frequency);

    private static int TakeMany(TokenBucket bucket, int attempts)
    {
        var taken = 0;
        for (var i = 0; i < attempts; i++)
        {
            if (bucket.TryTake())
            {
                taken++;
            }
        }

        return taken;
    }
}
