using System.Diagnostics;

namespace RawChat.Core.Limits;

/// <summary>A per-connection token bucket: <c>rate</c> tokens a second, holding at most <c>burst</c>.</summary>
public sealed class TokenBucket(double rate, int burst, Func<long>? clock = null)
{
    private readonly Func<long> _clock = clock ?? Stopwatch.GetTimestamp;
    private double _tokens = burst;
    private long _last = (clock ?? Stopwatch.GetTimestamp)();

    public bool TryTake()
    {
        var now = _clock();
        var elapsed = (now - _last) / (double)Stopwatch.Frequency;
        _last = now;
        _tokens = Math.Min(burst, _tokens + (elapsed * rate));
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
