namespace RawChat.Bench.Options;

/// <summary>
/// One benchmark run. Start from <see cref="For"/> (the scenario's defaults) and override with
/// <c>with { … }</c>; <see cref="BenchArgs"/> does that for the command line.
/// </summary>
public sealed record BenchOptions
{
    public Scenario Scenario { get; init; } = Scenario.Fanout;

    /// <summary>Nodes to connect to; connection i goes to <c>Urls[i % Urls.Count]</c>.</summary>
    public IReadOnlyList<Uri> Urls { get; init; } = [new Uri("ws://127.0.0.1:8080")];

    public int Connections { get; init; } = 1000;

    /// <summary>Connections per room; rooms = connections / room size (the last one may be smaller).</summary>
    public int RoomSize { get; init; } = 100;

    /// <summary>Connections that post; null: every connection.</summary>
    public int? Senders { get; init; } = 50;

    public int SenderCount => Senders ?? Connections;

    /// <summary>Posts per second per sender (for <see cref="Scenario.Burst"/>: rounds per second).</summary>
    public double Rate { get; init; } = 10;

    public double DurationSeconds { get; init; } = 10;

    /// <summary>
    /// Load before the window opens. 15 s because the runtime's tiered JIT (with dynamic PGO)
    /// recompiles a fresh node's hot methods for about that long: after a 3 s warm-up its JIT
    /// thread still took ~15 % of the machine inside the window. The window should show the
    /// steady state of a long-running node.
    /// </summary>
    public double WarmupSeconds { get; init; } = 15;

    /// <summary>How long to wait after the last post for the deliveries still on their way.</summary>
    public double TailTimeoutSeconds { get; init; } = 10;

    /// <summary>HS256 secret the server validates tokens with (its <c>Jwt:Secret</c>).</summary>
    public string Secret { get; init; } = "";

    public int ConnectConcurrency { get; init; } = 50;

    /// <summary>Pads every posted text with 'x' up to this many bytes (0: no padding).</summary>
    public int MessageBytes { get; init; }

    /// <summary>Server processes to sample (RSS, CPU) at the start and end of the measured window.</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];

    /// <summary>Other processes to sample with their direct children (e.g. postgres=PID, redis=PID).</summary>
    public IReadOnlyList<(string Label, int Pid)> AuxPids { get; init; } = [];

    /// <summary>Raises the thread pool's minimum worker and I/O threads to at least this.</summary>
    public int MinThreads { get; init; } = 64;

    public string? JsonPath { get; init; }

    /// <summary><see cref="Scenario.Members"/>: members added to the one private room (the creator, its owner, comes on top).</summary>
    public int Members { get; init; } = 10_000;

    /// <summary><see cref="Scenario.Members"/>: measured walks through the whole list, per reader and page size.</summary>
    public int Rounds { get; init; } = 10;

    /// <summary><see cref="Scenario.Members"/>: walks per reader and page size before the measured ones (checked, not timed).</summary>
    public int WarmupRounds { get; init; } = 1;

    /// <summary><see cref="Scenario.Members"/>: readers walking at once, each on a keep-alive HTTP connection of its own.</summary>
    public int Readers { get; init; } = 2;

    /// <summary><see cref="Scenario.Members"/>: <c>POST …/members</c> requests in flight.</summary>
    public int AddConcurrency { get; init; } = 32;

    /// <summary><see cref="Scenario.Members"/>: the page sizes walked, one after the other (the API allows 1–200).</summary>
    public IReadOnlyList<int> PageLimits { get; init; } = [200, 50];

    /// <summary>
    /// <see cref="Scenario.Members"/>: a shell command run (<c>/bin/sh -c</c>) after the adds, before the first page is
    /// read, e.g. an <c>ANALYZE</c> of the members table (bench/run.sh --analyze); null: none.
    /// </summary>
    public string? BeforePaging { get; init; }

    /// <summary>The claim that makes a token a service token (the server's <c>Jwt:ServiceClaim</c>).</summary>
    public string ServiceClaim { get; init; } = "rawchat_service";

    /// <summary>The sizes for each scenario; every one of them can be overridden.</summary>
    public static BenchOptions For(Scenario scenario) => scenario switch
    {
        Scenario.Ingest => new BenchOptions
        {
            Scenario = scenario, Connections = 1000, RoomSize = 2, Senders = null, Rate = 15,
        },
        Scenario.Idle => new BenchOptions
        {
            Scenario = scenario, Connections = 10_000, RoomSize = 100, Senders = 0, Rate = 0, WarmupSeconds = 2,
        },
        Scenario.Burst => new BenchOptions
        {
            Scenario = scenario, Connections = 1000, RoomSize = 10, Senders = null, Rate = 1,
        },
        Scenario.Members => new BenchOptions
        {
            Scenario = scenario, Connections = 1, RoomSize = 1, Senders = 0, Rate = 0,
        },
        _ => new BenchOptions
        {
            Scenario = Scenario.Fanout, Connections = 1000, RoomSize = 100, Senders = 50, Rate = 10,
        },
    };

    public int Rooms => (Connections + RoomSize - 1) / RoomSize;

    /// <summary>Empty when the options make sense, else what is wrong with them.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Urls.Count == 0)
        {
            problems.Add("at least one --url is needed");
        }

        if (Urls.Any(u => u.Scheme is not ("ws" or "wss")))
        {
            problems.Add("--url must be ws:// or wss://");
        }

        if (Connections < 1 || RoomSize < 1 || ConnectConcurrency < 1)
        {
            problems.Add("--connections, --room-size and --connect-concurrency must be at least 1");
        }

        if (SenderCount < 0 || SenderCount > Connections)
        {
            problems.Add("--senders must be between 0 and --connections");
        }

        if (SenderCount > 0 && Rate <= 0)
        {
            problems.Add("--rate must be above 0 when there are senders");
        }

        if (DurationSeconds <= 0 || WarmupSeconds < 0 || TailTimeoutSeconds < 0)
        {
            problems.Add("--duration must be above 0; --warmup and --tail-timeout at least 0");
        }

        if (Members < 1 || Rounds < 1 || WarmupRounds < 0 || Readers < 1 || AddConcurrency < 1)
        {
            problems.Add("--members, --rounds, --readers and --add-concurrency must be at least 1; --warmup-rounds at least 0");
        }

        if (PageLimits.Count == 0 || PageLimits.Any(l => l is < 1 or > 200))
        {
            problems.Add("--page-limits must list page sizes of 1 to 200");
        }

        if (string.IsNullOrWhiteSpace(ServiceClaim) || ServiceClaim.Any(char.IsWhiteSpace))
        {
            problems.Add("--service-claim must be a claim name without spaces");
        }

        if (string.IsNullOrEmpty(Secret))
        {
            problems.Add("--secret (or the environment variable Jwt__Secret) is needed to mint tokens");
        }

        return problems;
    }
}
