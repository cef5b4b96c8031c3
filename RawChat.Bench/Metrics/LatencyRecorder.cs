using System.Diagnostics;
using HdrHistogram;
using RawChat.Bench.Reporting;

namespace RawChat.Bench.Metrics;

/// <summary>
/// A latency histogram in microseconds (1 µs to 1 h, 3 significant digits) that any thread may
/// record into without a lock.
/// </summary>
internal sealed class LatencyRecorder
{
    private const long Highest = 3_600_000_000;
    private readonly LongConcurrentHistogram _histogram = new(1, Highest, 3);

    public void RecordTicks(long stopwatchTicks)
    {
        var micros = stopwatchTicks <= 0 ? 0 : stopwatchTicks * 1_000_000 / Stopwatch.Frequency;
        _histogram.RecordValue(Math.Clamp(micros, 1, Highest));
    }

    public LatencySummary Summarize()
    {
        var h = _histogram.Copy();
        if (h.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }

        return new LatencySummary(
            h.TotalCount,
            h.GetValueAtPercentile(50),
            h.GetValueAtPercentile(90),
            h.GetValueAtPercentile(99),
            h.GetValueAtPercentile(99.9),
            h.GetMaxValue(),
            Math.Round(h.GetMean(), 1));
    }

    /// <summary>The percentiles the members scenario reports (p95 instead of p90 and p99.9).</summary>
    public PercentileSummary SummarizePercentiles()
    {
        var h = _histogram.Copy();
        if (h.TotalCount == 0)
        {
            return new PercentileSummary(0, 0, 0, 0, 0, 0);
        }

        return new PercentileSummary(
            h.TotalCount,
            h.GetValueAtPercentile(50),
            h.GetValueAtPercentile(95),
            h.GetValueAtPercentile(99),
            h.GetMaxValue(),
            Math.Round(h.GetMean(), 1));
    }
}
