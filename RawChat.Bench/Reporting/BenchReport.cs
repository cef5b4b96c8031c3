namespace RawChat.Bench.Reporting;

/// <summary>Everything one run measured; written as JSON with <c>--json</c> and summarised on stdout.</summary>
public sealed record BenchReport(
    string Scenario,
    string RunId,
    DateTimeOffset StartedAt,
    IReadOnlyList<string> Urls,
    RunShape Shape,
    ConnectionReport Connections,
    TrafficReport Traffic,
    LatencyReport Latency,
    IReadOnlyDictionary<string, long> RefusalsByCode,
    IReadOnlyDictionary<string, long> ServerCloses,
    ServerReport Server,
    IReadOnlyList<ProcessReport> Aux,
    ToolReport Tool,
    MachineReport Machine);

public sealed record RunShape(
    int Connections, int RoomSize, int Rooms, int Senders, double Rate,
    double DurationSeconds, double WarmupSeconds, int ConnectConcurrency, int MessageBytes);

public sealed record ConnectionReport(
    int Attempted, int Connected, int Failed, IReadOnlyDictionary<string, long> FailuresByCode,
    double ConnectSeconds, LatencySummary ConnectLatencyMicros,
    long StillOpenAtEnd, long Dropped);

/// <summary>
/// Counts cover the whole run (warm-up and tail included); rates cover the measured window only.
/// <c>Delivered</c> counts distinct (receiver, seq) pairs of this tool's posts.
/// </summary>
public sealed record TrafficReport(
    long Sent, long Acked, long Refused, long DuplicateAcks, long Unanswered, long SendFailures, long SendsSkipped,
    long ExpectedDeliveries, long Delivered, long Lost, long Duplicated, long OutOfOrder,
    long DeliveredWithoutAck, long ForeignMessages,
    double WindowSeconds, long AckedInWindow, long DeliveredInWindow,
    double PostsPerSecond, double DeliveriesPerSecond,
    double TailSeconds, bool TailComplete);

public sealed record LatencyReport(LatencySummary AckMicros, LatencySummary DeliveryMicros, LatencySummary SendLagMicros);

public sealed record LatencySummary(long Count, long P50, long P90, long P99, long P999, long Max, double Mean);
