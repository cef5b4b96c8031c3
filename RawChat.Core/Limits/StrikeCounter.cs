using System.Diagnostics;

namespace RawChat.Core.Limits;

/// <summary>
/// Counts a connection's refusals for going over a budget. Refusals are forgotten after a quiet
/// second with none; a client that keeps sending over its budget reaches the limit however many
/// of its frames the refilling budget lets through meanwhile, and is closed.
/// </summary>
public sealed class StrikeCounter(Func<long>? clock = null)
{
    private static readonly long QuietTicks = Stopwatch.Frequency; // one second

    private readonly Func<long> _clock = clock ?? Stopwatch.GetTimestamp;
    private int _strikes;
    private long _last;

    /// <returns>true when this refusal reaches <paramref name="limit"/>: the connection is to be closed.</returns>
    public bool Strike(int limit)
    {
        var now = _clock();
        if (now - _last > QuietTicks)
        {
            _strikes = 0;
        }

        _last = now;
        return ++_strikes >= limit;
    }
}
