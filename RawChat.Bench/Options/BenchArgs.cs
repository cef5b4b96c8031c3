using System.Globalization;

namespace RawChat.Bench.Options;

/// <summary>
/// The command line: <c>--name value</c> or <c>--name=value</c>. The scenario's defaults come
/// first, then every option given overrides them, whatever the order.
/// </summary>
public static class BenchArgs
{
    public const string Usage = """
        usage: RawChat.Bench --scenario fanout|ingest|idle|burst|members [options]

          --url ws://127.0.0.1:8080   a node (repeatable: connections go round-robin over them;
                                      senders sit on the first node)
          --connections N             connections to open            (fanout/ingest/burst 1000, idle 10000)
          --room-size S               connections per room           (fanout 100, ingest 2, burst 10, idle 100)
          --senders K                 connections that post          (fanout 50, ingest/burst all, idle 0)
          --rate R                    posts/s per sender; burst: rounds/s (fanout 10, ingest 15, burst 1)
          --duration D                measured seconds               (10)
          --warmup W                  seconds of load before measuring (15; idle: settle time 2)
          --tail-timeout T            seconds to wait for the last deliveries (10)
          --secret S                  HS256 secret of the server     (default: env Jwt__Secret)
          --connect-concurrency C     handshakes in flight           (50)
          --message-bytes B           pad each posted text to B bytes (0: no padding)
          --server-pid PID            sample RSS and CPU of a node (repeatable)
          --aux-pid LABEL=PID         sample a process and its children, e.g. postgres=123 (repeatable)
          --min-threads N             thread pool minimum (64)
          --json PATH                 also write the report as JSON

        members (one private room, its members added over HTTP, then paged through):
          --members N                 members to add                 (10000)
          --add-concurrency A         adds in flight                 (32)
          --readers R                 walkers at once, one keep-alive connection each (2)
          --rounds N                  measured walks per reader and page size (10)
          --warmup-rounds N           walks before those, checked but not timed (1)
          --page-limits L,L           page sizes walked              (200,50)
          --service-claim NAME        the server's Jwt:ServiceClaim  (rawchat_service)
          --before-paging CMD         a shell command run after the adds, before paging (none)
          --check                     only validate the arguments
        """;

    /// <summary>The options, or the error to print with <see cref="Usage"/>; both null means --help.</summary>
    public static (BenchOptions? Options, string? Error) Parse(IReadOnlyList<string> args, string? secretFromEnvironment)
    {
        var given = new List<(string Name, string Value)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return (null, null);
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return (null, $"unexpected argument '{arg}'");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                given.Add((arg[2..equals], arg[(equals + 1)..]));
            }
            else if (i + 1 < args.Count)
            {
                given.Add((arg[2..], args[++i]));
            }
            else
            {
                return (null, $"{arg} needs a value");
            }
        }

        var scenarioArg = given.LastOrDefault(g => g.Name == "scenario").Value;
        if (scenarioArg is null)
        {
            return (null, "--scenario is required");
        }

        if (!Enum.TryParse<Scenario>(scenarioArg, ignoreCase: true, out var scenario) || !Enum.IsDefined(scenario)
            || int.TryParse(scenarioArg, CultureInfo.InvariantCulture, out _))
        {
            return (null, $"unknown scenario '{scenarioArg}'");
        }

        var options = BenchOptions.For(scenario) with { Secret = secretFromEnvironment ?? "" };
        var urls = new List<Uri>();
        var serverPids = new List<int>();
        var auxPids = new List<(string, int)>();
        foreach (var (name, value) in given)
        {
            try
            {
                options = Apply(options, name, value, urls, serverPids, auxPids);
            }
            catch (FormatException e)
            {
                return (null, $"--{name}: {e.Message}");
            }
        }

        options = options with
        {
            Urls = urls.Count > 0 ? urls : options.Urls,
            ServerPids = serverPids,
            AuxPids = auxPids,
        };
        var problems = options.Validate();
        return problems.Count == 0 ? (options, null) : (null, string.Join("; ", problems));
    }

    private static BenchOptions Apply(BenchOptions o, string name, string value,
        List<Uri> urls, List<int> serverPids, List<(string, int)> auxPids)
    {
        switch (name)
        {
            case "scenario": return o;
            case "url": urls.Add(ParseUri(value)); return o;
            case "connections": return o with { Connections = Int(value) };
            case "room-size": return o with { RoomSize = Int(value) };
            case "senders": return o with { Senders = Int(value) };
            case "rate": return o with { Rate = Number(value) };
            case "duration": return o with { DurationSeconds = Number(value) };
            case "warmup": return o with { WarmupSeconds = Number(value) };
            case "tail-timeout": return o with { TailTimeoutSeconds = Number(value) };
            case "secret": return o with { Secret = value };
            case "connect-concurrency": return o with { ConnectConcurrency = Int(value) };
            case "message-bytes": return o with { MessageBytes = Int(value) };
            case "server-pid": serverPids.Add(Int(value)); return o;
            case "aux-pid": auxPids.Add(ParseAux(value)); return o;
            case "min-threads": return o with { MinThreads = Int(value) };
            case "json": return o with { JsonPath = value };
            case "members": return o with { Members = Int(value) };
            case "add-concurrency": return o with { AddConcurrency = Int(value) };
            case "readers": return o with { Readers = Int(value) };
            case "rounds": return o with { Rounds = Int(value) };
            case "warmup-rounds": return o with { WarmupRounds = Int(value) };
            case "page-limits": return o with { PageLimits = [.. value.Split(',', StringSplitOptions.TrimEntries).Select(Int)] };
            case "service-claim": return o with { ServiceClaim = value };
            case "before-paging": return o with { BeforePaging = value };
            default: throw new FormatException("unknown option");
        }
    }

    private static int Int(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"'{value}' is not an integer");

    private static double Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)
            ? n : throw new FormatException($"'{value}' is not a number");

    private static Uri ParseUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw new FormatException($"'{value}' is not a URL");

    private static (string, int) ParseAux(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (value[..equals], Int(value[(equals + 1)..]))
            : throw new FormatException($"'{value}' is not LABEL=PID");
    }
}
