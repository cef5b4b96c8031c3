using System.Globalization;

namespace RawChat.Bench.Reporting;

/// <summary>The readable summary of a <see cref="BenchReport"/> (stdout).</summary>
public static class SummaryWriter
{
    public static void Write(BenchReport r, TextWriter o)
    {
        var s = r.Shape;
        var t = r.Traffic;
        o.WriteLine(F($"RawChat.Bench {r.Scenario} (run {r.RunId}) against {string.Join(", ", r.Urls)}"));
        o.WriteLine(F($"  shape        {s.Connections} connections, {s.Rooms} rooms of {s.RoomSize}, {s.Senders} senders at {s.Rate}/s, {s.WarmupSeconds} s warm-up + {s.DurationSeconds} s measured"));
        var c = r.Connections;
        o.WriteLine(F($"  connected    {c.Connected}/{c.Attempted} in {c.ConnectSeconds:0.00} s ({s.ConnectConcurrency} in flight); failures {Tally(c.FailuresByCode)}"));
        o.WriteLine(F($"  connect      {Latency(c.ConnectLatencyMicros)}"));
        if (s.Senders > 0)
        {
            o.WriteLine(F($"  posts        sent {t.Sent}, acked {t.Acked}, refused {t.Refused}, unanswered {t.Unanswered}, duplicate acks {t.DuplicateAcks}, send failures {t.SendFailures}, skipped {t.SendsSkipped}"));
            o.WriteLine(F($"  deliveries   expected {t.ExpectedDeliveries}, delivered {t.Delivered}, lost {t.Lost}, duplicated {t.Duplicated}, out of order {t.OutOfOrder}, without ack {t.DeliveredWithoutAck}"));
            o.WriteLine(F($"  throughput   {t.PostsPerSecond:0.0} posts/s (acked), {t.DeliveriesPerSecond:0.0} deliveries/s over {t.WindowSeconds:0.00} s; tail {t.TailSeconds:0.00} s ({(t.TailComplete ? "complete" : "TIMED OUT")})"));
            o.WriteLine(F($"  ack          {Latency(r.Latency.AckMicros)}"));
            o.WriteLine(F($"  delivery     {Latency(r.Latency.DeliveryMicros)}"));
            o.WriteLine(F($"  send lag     {Latency(r.Latency.SendLagMicros)}   (the tool's lateness against its schedule)"));
        }

        o.WriteLine(F($"  refusals     {Tally(r.RefusalsByCode)}; server closes {Tally(r.ServerCloses)}; dropped {c.Dropped}; open at end {c.StillOpenAtEnd}"));
        WriteServer(r, o);
        var tool = r.Tool;
        o.WriteLine(F($"  tool         {tool.CpuSeconds:0.00} CPU s in window ({tool.CpuCores:0.00} cores), {Opt(tool.CpuMicrosPerDelivery)} µs/delivery, {Opt(tool.CoresPer10kDeliveriesPerSecond)} cores per 10k deliveries/s; {tool.CpuSecondsTotal:0.00} CPU s in all; {tool.GcCollections} gen0 GCs"));
        o.WriteLine(F($"  machine      {r.Machine.Cores} cores ({r.Machine.CpuModel}), {r.Machine.MemoryMiB} MiB, {r.Machine.BusyPercent:0.0}% busy in window"));
    }

    private static void WriteServer(BenchReport r, TextWriter o)
    {
        foreach (var n in r.Server.Nodes)
        {
            o.WriteLine(F($"  server {n.Pid,-6} RSS {n.BaselineRssKiB / 1024.0:0.0} → {n.StartRssKiB / 1024.0:0.0} → {n.EndRssKiB / 1024.0:0.0} MiB (baseline → window start → end), {n.CpuSeconds:0.00} CPU s{(n.Alive ? "" : " (GONE)")}"));
        }

        if (r.Server.Nodes.Count > 0)
        {
            var growth = r.Server.RssGrowthBytesPerConnection is { } g ? F($", RSS growth {g / 1024:0.00} KiB/connection") : "";
            o.WriteLine(F($"  server CPU   {r.Server.CpuSeconds:0.00} s ({r.Server.CpuCores:0.00} cores): {Opt(r.Server.CpuMicrosPerDelivery)} µs/delivery, {Opt(r.Server.CpuMicrosPerPost)} µs/stored post{growth}"));
        }

        foreach (var a in r.Aux)
        {
            var perPost = r.Traffic.AckedInWindow > 0 ? F($", {a.CpuSeconds * 1e6 / r.Traffic.AckedInWindow:0.0} µs/stored post") : "";
            o.WriteLine(F($"  {a.Label,-12} {a.CpuSeconds:0.00} CPU s over {a.Processes} processes{perPost}, RSS {a.EndRssKiB / 1024.0:0.0} MiB (shared pages counted per process)"));
        }
    }

    private static string Latency(LatencySummary l) => l.Count == 0 ? "-" :
        F($"p50 {Ms(l.P50)}  p90 {Ms(l.P90)}  p99 {Ms(l.P99)}  p99.9 {Ms(l.P999)}  max {Ms(l.Max)} ms  (n={l.Count})");

    private static string Ms(long micros) => (micros / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Opt(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Tally(IReadOnlyDictionary<string, long> tally) =>
        tally.Count == 0 ? "none" : string.Join(", ", tally.Select(p => F($"{p.Key}: {p.Value}")));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
