using System.Text.Json;
using RawChat.Bench;
using RawChat.Bench.Members;
using RawChat.Bench.Options;
using RawChat.Bench.Reporting;

// Socket continuations run on the epoll threads instead of hopping to the thread pool: the receive
// loops only parse and count, and this is the cheaper path for thousands of client sockets. Read
// once, when the first socket is made; set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 to compare.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

// --check: only validate the arguments (bench/run.sh does so before it starts anything).
var checkOnly = args.Contains("--check");
var (options, error) = BenchArgs.Parse([.. args.Where(a => a != "--check")], Environment.GetEnvironmentVariable("Jwt__Secret"));
if (options is null)
{
    if (error is not null)
    {
        Console.Error.WriteLine($"RawChat.Bench: {error}");
    }

    Console.Error.WriteLine(BenchArgs.Usage);
    return error is null ? 0 : 2;
}

if (checkOnly)
{
    return 0;
}

if (options.Rate > 20 && options.SenderCount > 0)
{
    Console.Error.WriteLine("RawChat.Bench: warning: --rate above the server's default 20 posts/s per connection will be rate_limited");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

if (options.Scenario == Scenario.Members)
{
    try
    {
        var members = await MembersRunner.RunAsync(options, stop.Token);
        MembersSummaryWriter.Write(members, Console.Out);
        if (options.JsonPath is { } membersPath)
        {
            await File.WriteAllBytesAsync(membersPath, JsonSerializer.SerializeToUtf8Bytes(members, BenchJsonContext.Default.MembersReport));
        }

        return members.Clean ? 0 : 1;
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("RawChat.Bench: cancelled");
        return 130;
    }
    catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
    {
        Console.Error.WriteLine($"RawChat.Bench: {e.Message}");
        return 1;
    }
}

try
{
    var report = await BenchRunner.RunAsync(options, stop.Token);
    SummaryWriter.Write(report, Console.Out);
    if (options.JsonPath is { } path)
    {
        await File.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(report, BenchJsonContext.Default.BenchReport));
    }

    // Non-zero when the run is not clean: a failed connection, a loss, a duplicate, a reordering,
    // or posts still unanswered when the tail timed out. The report is written either way.
    var t = report.Traffic;
    var clean = report.Connections.Failed == 0 && t.Lost == 0 && t.Duplicated == 0 && t.OutOfOrder == 0
        && t.Unanswered == 0;
    return clean ? 0 : 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("RawChat.Bench: cancelled");
    return 130;
}
