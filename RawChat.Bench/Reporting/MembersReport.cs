namespace RawChat.Bench.Reporting;

/// <summary>
/// What the <c>members</c> scenario measured (issue 14): one private room, <c>Members</c> users added over HTTP,
/// then the whole list paged through with each page size. Written as JSON with <c>--json</c>.
/// </summary>
public sealed record MembersReport(
    string Scenario,
    string RunId,
    DateTimeOffset StartedAt,
    string Url,
    string Room,
    string UserIdPrefix,
    string OwnerId,
    MembersShape Shape,
    MemberAddReport Add,
    BeforePagingReport? BeforePaging,
    IReadOnlyList<PagingReport> Paging,
    HttpReport Http,
    MachineReport Machine)
{
    /// <summary>Every add answered 201 (or 200), the command before paging (if any) succeeded, every walk complete, no request failed.</summary>
    public bool Clean => Add.FailuresByCode.Count == 0 && Add.Created + Add.AlreadyMembers == Add.Attempted
        && BeforePaging is null or { ExitCode: 0 }
        && Paging.All(p => p.FailuresByCode.Count == 0 && p.Check.Walks > 0 && p.Check.CompleteWalks == p.Check.Walks);
}

/// <summary>
/// Added user ids are <c>UserIdPrefix</c> + 1 … <c>Members</c>, not padded, so byte order is not numeric order.
/// The list holds one more: the room's creator (the service token's user), its owner.
/// </summary>
public sealed record MembersShape(
    int Members, int ListedMembers, int AddConcurrency, int Readers, int Rounds, int WarmupRounds, IReadOnlyList<int> PageLimits);

/// <summary>The adds: rate and latency over all of them (no warm-up: each add is new work).</summary>
public sealed record MemberAddReport(
    int Attempted, int Created, int AlreadyMembers, IReadOnlyDictionary<string, long> FailuresByCode,
    double Seconds, double AddsPerSecond, PercentileSummary LatencyMicros, PhaseCost Cost);

/// <summary>The command run between the adds and the paging (<c>--before-paging</c>), its exit code and how long it took.</summary>
public sealed record BeforePagingReport(string Command, int ExitCode, double Seconds);

/// <summary>
/// One page size: latency and rate over the measured rounds (every reader walking the whole list
/// <c>Rounds</c> times, at once); the check covers every walk, the warm-up walks included.
/// </summary>
public sealed record PagingReport(
    int Limit, long Pages, double Seconds, double PagesPerSecond, PercentileSummary LatencyMicros,
    WalkCheck Check, IReadOnlyDictionary<string, long> FailuresByCode, PhaseCost Cost);

public sealed record PercentileSummary(long Count, long P50, long P95, long P99, long Max, double Mean);

/// <summary>
/// The walks' findings, summed. A walk is complete when it ended on <c>hasMore</c> false with every
/// expected id once, in byte order, no page over the limit, and every page before the last one full
/// and saying <c>hasMore</c> true.
/// </summary>
public sealed record WalkCheck(
    long Walks, long CompleteWalks, long Pages, long Listed, long Missing, long Duplicates, long Unexpected,
    long OutOfOrder, long WrongHasMore, long ShortPages, long OverLimit, long Unfinished)
{
    public static WalkCheck None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public WalkCheck Plus(WalkCheck o) => new(
        Walks + o.Walks, CompleteWalks + o.CompleteWalks, Pages + o.Pages, Listed + o.Listed, Missing + o.Missing,
        Duplicates + o.Duplicates, Unexpected + o.Unexpected, OutOfOrder + o.OutOfOrder, WrongHasMore + o.WrongHasMore,
        ShortPages + o.ShortPages, OverLimit + o.OverLimit, Unfinished + o.Unfinished);
}

/// <summary>
/// CPU of the sampled processes (the node as <c>rawchat</c>, then each <c>--aux-pid</c>) over one phase, also per
/// item (an add, a page); the tool's own CPU; the machine's busy share.
/// </summary>
public sealed record PhaseCost(IReadOnlyList<CpuShare> Processes, double ToolCpuSeconds, double MachineBusyPercent);

public sealed record CpuShare(string Label, int Pid, double CpuSeconds, double? MicrosPerItem);

/// <summary>TCP connections the tool opened, against the HTTP requests it made: keep-alive held when they are few.</summary>
public sealed record HttpReport(long ConnectionsOpened, long Requests);
