namespace RawChat.Bench.Reporting;

/// <summary>
/// One sampled process over the measured window. <c>BaselineRssKiB</c> is taken before the
/// connections (idle: after a few primer connections), <c>StartRssKiB</c>/<c>EndRssKiB</c> at the
/// window's edges; CPU seconds are utime+stime spent inside the window.
/// </summary>
public sealed record ProcessReport(
    string Label, int Pid, bool Alive, int Processes, long BaselineRssKiB, long StartRssKiB, long EndRssKiB, double CpuSeconds);

/// <summary>
/// The RawChat node(s), summed. Per-delivery and per-post figures divide the same CPU time by
/// deliveries (resp. acked posts) in the window, so each includes the other's work.
/// </summary>
public sealed record ServerReport(
    IReadOnlyList<ProcessReport> Nodes, double CpuSeconds, double CpuCores,
    double? CpuMicrosPerDelivery, double? CpuMicrosPerPost,
    double? RssGrowthBytesPerConnection);

public sealed record ToolReport(
    double CpuSeconds, double CpuSecondsTotal, double CpuCores,
    double? CpuMicrosPerDelivery, double? CoresPer10kDeliveriesPerSecond,
    int MinThreads, int GcCollections);

public sealed record MachineReport(int Cores, string CpuModel, long MemoryMiB, double BusyPercent);
