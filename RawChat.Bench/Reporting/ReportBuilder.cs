using RawChat.Bench.Load;
using RawChat.Bench.Metrics;
using RawChat.Bench.Options;

namespace RawChat.Bench.Reporting;

/// <summary>Turns the counters, histograms and samples of a finished run into a <see cref="BenchReport"/>.</summary>
internal sealed class ReportBuilder(
    BenchOptions options, RunContext context, IReadOnlyList<BenchClient> clients, string runId, DateTimeOffset startedAt)
{
    public BenchReport Build(int primers, double connectSeconds, long stillOpen,
        WindowSample baseline, WindowSample start, WindowSample end, TailResult tail, TimeSpan toolCpuTotal)
    {
        var window = start.SecondsUntil(end);
        var deliveredInWindow = end.Delivered - start.Delivered;
        var ackedInWindow = end.Acked - start.Acked;
        var traffic = Traffic(window, ackedInWindow, deliveredInWindow, tail);
        var server = Server(baseline, start, end, window, deliveredInWindow, ackedInWindow, primers);
        return new BenchReport(
            options.Scenario.ToString().ToLowerInvariant(),
            runId,
            startedAt,
            [.. options.Urls.Select(u => u.ToString())],
            new RunShape(options.Connections, options.RoomSize, options.Rooms, options.SenderCount, options.Rate,
                options.DurationSeconds, options.WarmupSeconds, options.ConnectConcurrency, options.MessageBytes),
            new ConnectionReport(options.Connections, clients.Count, options.Connections - clients.Count,
                Sorted(context.ConnectFailures), Math.Round(connectSeconds, 3), context.Connect.Summarize(),
                stillOpen, clients.Count(c => c.Dropped)),
            traffic,
            new LatencyReport(context.Ack.Summarize(), context.Delivery.Summarize(), context.SendLag.Summarize()),
            Sorted(context.Refusals),
            Sorted(context.ServerCloses),
            server,
            [.. options.AuxPids.Select((a, i) => Process(a.Label, baseline.Aux[i], start.Aux[i], end.Aux[i]))],
            Tool(start, end, window, deliveredInWindow, toolCpuTotal),
            new MachineReport(Environment.ProcessorCount, ProcFs.CpuModel(), ProcFs.MemoryMiB(),
                Round(Percent(end.Machine.BusyTicks - start.Machine.BusyTicks, end.Machine.TotalTicks - start.Machine.TotalTicks))));
    }

    private TrafficReport Traffic(double window, long ackedInWindow, long deliveredInWindow, TailResult tail)
    {
        long sent = 0, acked = 0, refused = 0, duplicateAcks = 0, failures = 0, skipped = 0;
        long expected = 0, delivered = 0, duplicated = 0, outOfOrder = 0, foreign = 0;
        foreach (var c in clients)
        {
            sent += c.Sent;
            acked += c.Acked;
            refused += c.Refused;
            duplicateAcks += c.DuplicateAcks;
            failures += c.SendFailures;
            skipped += c.Skipped;
            expected += c.Expected;
            delivered += c.Delivered;
            duplicated += c.Duplicated;
            outOfOrder += c.OutOfOrder;
            foreign += c.Foreign;
        }

        var lost = CountLost();
        return new TrafficReport(sent, acked, refused, duplicateAcks, Math.Max(0, sent - acked - refused), failures, skipped,
            expected, delivered, lost, duplicated, outOfOrder, delivered - (expected - lost), foreign,
            Round(window), ackedInWindow, deliveredInWindow,
            Round(ackedInWindow / window), Round(deliveredInWindow / window),
            Round(tail.Seconds), tail.Complete);
    }

    /// <summary>Every acked post must have reached every connected member of its room: count the misses.</summary>
    private long CountLost()
    {
        var members = clients.ToLookup(c => c.Room);
        long lost = 0;
        foreach (var sender in clients.Where(c => c.AckedSeqs.Count > 0))
        {
            foreach (var receiver in members[sender.Room])
            {
                foreach (var seq in sender.AckedSeqs)
                {
                    if (!receiver.HasSeen(seq))
                    {
                        lost++;
                    }
                }
            }
        }

        return lost;
    }

    private ServerReport Server(WindowSample baseline, WindowSample start, WindowSample end, double window,
        long deliveredInWindow, long ackedInWindow, int primers)
    {
        var nodes = options.ServerPids
            .Select((pid, i) => Process("rawchat", baseline.Servers[i], start.Servers[i], end.Servers[i]))
            .ToList();
        var cpu = nodes.Sum(n => n.CpuSeconds);
        var grown = nodes.Sum(n => n.EndRssKiB - n.BaselineRssKiB) * 1024.0;
        // Only idle holds still long enough for RSS growth to mean memory per connection.
        var measuredConnections = options.Scenario == Scenario.Idle ? clients.Count - primers : 0;
        return new ServerReport(nodes, Round(cpu), Round(cpu / window),
            nodes.Count > 0 && deliveredInWindow > 0 ? Round(cpu * 1e6 / deliveredInWindow) : null,
            nodes.Count > 0 && ackedInWindow > 0 ? Round(cpu * 1e6 / ackedInWindow) : null,
            nodes.Count > 0 && measuredConnections > 0 ? Round(grown / measuredConnections) : null);
    }

    private static ProcessReport Process(string label, ProcessSample baseline, ProcessSample start, ProcessSample end) =>
        new(label, end.Pid, end.Alive, end.Processes, baseline.RssKiB, start.RssKiB, end.RssKiB,
            Round(end.CpuSeconds - start.CpuSeconds));

    private ToolReport Tool(WindowSample start, WindowSample end, double window, long deliveredInWindow, TimeSpan total)
    {
        var cpu = (end.ToolCpu - start.ToolCpu).TotalSeconds;
        var cores = cpu / window;
        var deliveriesPerSecond = deliveredInWindow / window;
        return new ToolReport(Round(cpu), Round(total.TotalSeconds), Round(cores),
            deliveredInWindow > 0 ? Round(cpu * 1e6 / deliveredInWindow) : null,
            deliveriesPerSecond > 0 ? Round(cores / (deliveriesPerSecond / 10_000)) : null,
            options.MinThreads, end.GcCollections - start.GcCollections);
    }

    private static SortedDictionary<string, long> Sorted(IEnumerable<KeyValuePair<string, long>> tally) =>
        new(tally.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);

    private static double Percent(long part, long whole) => whole > 0 ? part * 100.0 / whole : 0;

    private static double Round(double value) => Math.Round(value, 3);
}
