using System.Diagnostics;

namespace RawChat.Core.Observability;

/// <summary>Lets a log line through at most once per interval, counting the ones it held back meanwhile. Thread-safe.</summary>
internal sealed class LogLimiter(TimeSpan interval)
{
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    private long _next;
    private long _held;

    /// <returns>true when this one may be logged; <paramref name="held"/> is then how many were not since the last.</returns>
    public bool TryEnter(out long held)
    {
        var now = Stopwatch.GetTimestamp();
        var next = Volatile.Read(ref _next);
        if (now < next || Interlocked.CompareExchange(ref _next, now + _intervalTicks, next) != next)
        {
            Interlocked.Increment(ref _held);
            held = 0;
            return false;
        }

        held = Interlocked.Exchange(ref _held, 0);
        return true;
    }
}
