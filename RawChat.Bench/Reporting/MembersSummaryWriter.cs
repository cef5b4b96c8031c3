using System.Globalization;

namespace RawChat.Bench.Reporting;

/// <summary>The readable summary of a <see cref="MembersReport"/> (stdout).</summary>
public static class MembersSummaryWriter
{
    public static void Write(MembersReport r, TextWriter o)
    {
        var s = r.Shape;
        var a = r.Add;
        o.WriteLine(F($"RawChat.Bench members (run {r.RunId}) against {r.Url}"));
        o.WriteLine(F($"  shape        private room {r.Room}: {s.Members} members added ({s.AddConcurrency} in flight) + its owner = {s.ListedMembers} listed; {s.Readers} readers × {s.Rounds} rounds (+{s.WarmupRounds} warm-up) per page size"));
        o.WriteLine(F($"  add          {a.Created}/{a.Attempted} created ({a.AlreadyMembers} already members) in {a.Seconds:0.00} s: {a.AddsPerSecond:0.0} adds/s; failures {Tally(a.FailuresByCode)}"));
        o.WriteLine(F($"  add latency  {Latency(a.LatencyMicros)}"));
        o.WriteLine(F($"  add cost     {Cost(a.Cost, "add")}"));
        if (r.BeforePaging is { } before)
        {
            o.WriteLine(F($"  before pages `{before.Command}`: exit code {before.ExitCode} after {before.Seconds:0.00} s"));
        }

        foreach (var p in r.Paging)
        {
            var c = p.Check;
            o.WriteLine(F($"  limit {p.Limit,-6} {p.Pages} pages in {p.Seconds:0.00} s: {p.PagesPerSecond:0.0} pages/s; failures {Tally(p.FailuresByCode)}"));
            o.WriteLine(F($"    latency    {Latency(p.LatencyMicros)}"));
            o.WriteLine(F($"    check      {c.CompleteWalks}/{c.Walks} walks complete ({c.Pages} pages, {c.Listed} entries): missing {c.Missing}, duplicated {c.Duplicates}, unexpected {c.Unexpected}, out of order {c.OutOfOrder}, wrong hasMore {c.WrongHasMore}, short pages {c.ShortPages}, over limit {c.OverLimit}, unfinished {c.Unfinished}"));
            o.WriteLine(F($"    cost       {Cost(p.Cost, "page")}"));
        }

        o.WriteLine(F($"  http         {r.Http.ConnectionsOpened} TCP connections opened for {r.Http.Requests} requests (keep-alive)"));
        o.WriteLine(F($"  machine      {r.Machine.Cores} cores ({r.Machine.CpuModel}), {r.Machine.MemoryMiB} MiB, {r.Machine.BusyPercent:0.0}% busy over the run"));
        o.WriteLine(r.Clean ? "  verdict      clean: every add answered, every walk complete" : "  verdict      NOT CLEAN: see the failures, the command before paging and the checks above");
    }

    private static string Cost(PhaseCost cost, string item)
    {
        var parts = cost.Processes.Select(p =>
            F($"{p.Label} {p.CpuSeconds:0.00} CPU s ({(p.MicrosPerItem is { } m ? m.ToString("0", CultureInfo.InvariantCulture) : "-")} µs/{item})"));
        return string.Join(", ", parts.Append(F($"tool {cost.ToolCpuSeconds:0.00} CPU s; machine {cost.MachineBusyPercent:0.0}% busy")));
    }

    private static string Latency(PercentileSummary l) => l.Count == 0 ? "-" :
        F($"p50 {Ms(l.P50)}  p95 {Ms(l.P95)}  p99 {Ms(l.P99)}  max {Ms(l.Max)} ms  mean {l.Mean / 1000:0.000} ms  (n={l.Count})");

    private static string Ms(long micros) => (micros / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Tally(IReadOnlyDictionary<string, long> tally) =>
        tally.Count == 0 ? "none" : string.Join(", ", tally.Select(p => F($"{p.Key}: {p.Value}")));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
