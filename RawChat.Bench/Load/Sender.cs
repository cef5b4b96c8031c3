using System.Diagnostics;

namespace RawChat.Bench.Load;

/// <summary>
/// Posts on one connection on a fixed schedule (open loop): post k is due at
/// <c>firstDue + k × interval</c>, whatever the server's pace. A sender that fell behind catches
/// up at once, and records how late it was; more than a second behind it skips ahead (counted)
/// rather than burst into the server's rate limit.
/// </summary>
internal sealed class Sender(BenchClient client, int senderIndex, RunContext context, int messageBytes)
{
    private static readonly long MaxLag = Stopwatch.Frequency;
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    public async Task RunAsync(long firstDue, long interval, long stopAt, CancellationToken ct)
    {
        var buffer = new byte[PostText.MaxFrameLength(messageBytes)];
        long n = 0;
        var due = firstDue;
        while (due < stopAt && !ct.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (due - now > OneMillisecond)
            {
                await Task.Delay(TimeSpan.FromTicks((due - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency), ct)
                    .ConfigureAwait(false);
                now = Stopwatch.GetTimestamp();
            }

            var lag = now - due;
            if (lag > MaxLag)
            {
                var behind = lag / interval;
                client.Skipped += behind;
                due += behind * interval;
                continue;
            }

            if (due >= context.WindowStart)
            {
                context.SendLag.RecordTicks(lag);
            }

            var length = PostText.WriteSendFrame(buffer, senderIndex, ++n, now, messageBytes);
            if (!await client.SendAsync(buffer.AsMemory(0, length)).ConfigureAwait(false))
            {
                return; // the socket is gone; its close or drop is counted by the receive loop
            }

            due += interval;
        }
    }
}
