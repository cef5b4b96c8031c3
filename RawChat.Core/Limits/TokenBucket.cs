using System.Diagnostics;

namespace RawChat.Core.Limits;

/// <summary>
/// A per-connection token bucket: <c>rate</c> tokens a second, holding at most <c>burst</c>.
/// <see cref="Credit"/> makes up for time the server itself kept the client's frames waiting.
/// </summary>
public sealed class TokenBucket(double rate, int burst, Func<long>? clock = null)
{
    /// <summary>The longest server stall made up for at once.</summary>
    private static readonly TimeSpan MaxCredit = TimeSpan.FromSeconds(30);

    private readonly Func<long> _clock = clock ?? Stopwatch.GetTimestamp;
    private double _tokens = burst;
    private long _last = (clock ?? Stopwatch.GetTimestamp)();
    private double _credit;
    private long _creditExpires;

    public bool TryTake()
    {
        var now = Refill();
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return true;
        }

        if (_credit >= 1 && now < _creditExpires)
        {
            _credit -= 1;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The server did not read this client for <paramref name="stalled"/> (storage hung, say):
    /// what the client sent meanwhile arrives all at once, though it was sent at the allowed rate.
    /// Grants the tokens that time would have brought past the burst, for as long again to use them.
    /// </summary>
    public void Credit(TimeSpan stalled)
    {
        var now = Refill();
        var capped = stalled < MaxCredit ? stalled : MaxCredit;
        _credit = Math.Min(_credit + (capped.TotalSeconds * rate), MaxCredit.TotalSeconds * rate);
        _creditExpires = now + (long)(capped.TotalSeconds * Stopwatch.Frequency) + Stopwatch.Frequency;
    }

    private long Refill()
    {
        var now = _clock();
        var elapsed = (now - _last) / (double)Stopwatch.Frequency;
        _last = now;
        _tokens = Math.Min(burst, _tokens + (elapsed * rate));
        return now;
    }
}
