using System.Diagnostics;
using RawChat.Bench.Load;
using RawChat.Bench.Options;

namespace RawChat.Bench.Metrics;

/// <summary>Everything read at one edge of the measured window.</summary>
internal sealed record WindowSample(
    long Ticks,
    IReadOnlyList<ProcessSample> Servers,
    IReadOnlyList<ProcessSample> Aux,
    TimeSpan ToolCpu,
    MachineSample Machine,
    long Delivered,
    long Acked,
    int GcCollections)
{
    public static WindowSample Take(BenchOptions options, IReadOnlyList<BenchClient> clients)
    {
        long delivered = 0, acked = 0;
        foreach (var client in clients)
        {
            delivered += Volatile.Read(ref client.Delivered);
            acked += Volatile.Read(ref client.Acked);
        }

        using var self = Process.GetCurrentProcess();
        return new WindowSample(
            Stopwatch.GetTimestamp(),
            [.. options.ServerPids.Select(ProcFs.Sample)],
            [.. options.AuxPids.Select(a => ProcFs.SampleWithChildren(a.Pid))],
            self.TotalProcessorTime,
            ProcFs.Machine(),
            delivered,
            acked,
            GC.CollectionCount(0));
    }

    public double SecondsUntil(WindowSample later) => (later.Ticks - Ticks) / (double)Stopwatch.Frequency;
}
