using System.Collections.Concurrent;
using RawChat.Bench.Metrics;

namespace RawChat.Bench.Load;

/// <summary>What every connection of one run shares: the histograms and the tallies by code.</summary>
internal sealed class RunContext(int rooms)
{
    /// <summary>Stopwatch timestamp from which latencies count (posts sent during warm-up do not).</summary>
    public long WindowStart { get; set; } = long.MaxValue;

    /// <summary>Connected receivers per room (each post to room r is expected this many times).</summary>
    public int[] Members { get; } = new int[rooms];

    public LatencyRecorder Connect { get; } = new();

    /// <summary>False while idle's primer connections warm both sides up: they are not measured.</summary>
    public bool MeasureConnects { get; set; } = true;

    public LatencyRecorder Ack { get; } = new();

    public LatencyRecorder Delivery { get; } = new();

    /// <summary>How late senders were against their schedule: the tool's own health.</summary>
    public LatencyRecorder SendLag { get; } = new();

    public ConcurrentDictionary<string, long> Refusals { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, long> ConnectFailures { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, long> ServerCloses { get; } = new(StringComparer.Ordinal);

    public static void Count(ConcurrentDictionary<string, long> tally, string key) =>
        tally.AddOrUpdate(key, 1, static (_, n) => n + 1);
}
