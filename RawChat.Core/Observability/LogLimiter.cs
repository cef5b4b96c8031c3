using System.Diagnostics;

namespace RawChat.Core.Observability;

/// <summary>
/// Lets a log line through at most once per interval, counting what it held back meanwhile (lines,
/// or whatever each line counts, e.g. refused posts). Thread-safe.
/// </summary>
internal sealed class LogLimiter(TimeSpan interval)
{
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    private long _next;
    private long _held;

    /// <returns>true when this one may be logged; <paramref name="held"/> is then how many were not since the last.</returns>
    public bool TryEnter(out long held) => TryEnter(1, out held);

    /// <param name="weight">What this line counts (held back, it is added to the next line's <paramref name="held"/>).</param>
    public bool TryEnter(long weight, out long held)
    {
        var now = Stopwatch.GetTimestamp();
        var next = Volatile.Read(ref _next);
        if (now < next || Interlocked.CompareExchange(ref _next, now + _intervalTicks, next) != next)
        {
            Interlocked.Add(ref _held, weight);
            held = 0;
            return false;
        }

        held = Interlocked.Exchange(ref _held, 0);
        return true;
    }
}
