using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;
using RawChat.Bench.Load;
using RawChat.Bench.Metrics;
using RawChat.Bench.Options;
using RawChat.Bench.Reporting;

namespace RawChat.Bench.Members;

/// <summary>
/// The <c>members</c> scenario (issue 14: "a room of 10,000 members pages in under 50 ms a page"). With a service
/// token it creates one private room, adds <see cref="BenchOptions.Members"/> users to it over HTTP
/// (<see cref="BenchOptions.AddConcurrency"/> in flight), then, for each page size, lets
/// <see cref="BenchOptions.Readers"/> readers walk the whole list at once, each over its own keep-alive
/// connection: <see cref="BenchOptions.WarmupRounds"/> walks, then <see cref="BenchOptions.Rounds"/> timed ones.
/// Every walk is checked (<see cref="MemberWalkCheck"/>). Service tokens are not counted by the rooms API's
/// per-user request budget (§14.3), so the budget does not pace the tool.
/// </summary>
public static class MembersRunner
{
    public static async Task<MembersReport> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var startedAt = DateTimeOffset.UtcNow;
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var room = $"bench-members-{runId}";
        var prefix = $"m{runId}-";
        var ownerId = $"bench-owner-{runId}";
        var baseUri = MembersHttp.HttpBase(options.Urls[0]);
        var token = new TokenMinter(options.Secret, TimeSpan.FromHours(12)).MintService(ownerId, "RawChat.Bench", options.ServiceClaim);
        var http = new MembersHttp();
        var runStart = WindowSample.Take(options, []);

        var ids = Enumerable.Range(1, options.Members).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        string[] expected = [.. ids, ownerId];
        Array.Sort(expected, StringComparer.Ordinal);

        MemberAddReport add;
        using (var adder = http.Client(baseUri, token, options.AddConcurrency))
        {
            await CreateRoomAsync(http, adder, room, ct).ConfigureAwait(false);
            add = await AddAsync(options, http, adder, room, ids, ct).ConfigureAwait(false);
        }

        var beforePaging = options.BeforePaging is { } command ? await RunCommandAsync(command, ct).ConfigureAwait(false) : null;
        var readers = Enumerable.Range(0, options.Readers).Select(_ => http.Client(baseUri, token, 1)).ToList();
        var paging = new List<PagingReport>();
        try
        {
            foreach (var limit in options.PageLimits)
            {
                paging.Add(await PageAsync(options, http, readers, room, expected, limit, ct).ConfigureAwait(false));
            }
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }

        var runEnd = WindowSample.Take(options, []);
        var machineTicks = runEnd.Machine.TotalTicks - runStart.Machine.TotalTicks;
        var busy = machineTicks > 0 ? (runEnd.Machine.BusyTicks - runStart.Machine.BusyTicks) * 100.0 / machineTicks : 0;
        return new MembersReport("members", runId, startedAt, baseUri.ToString(), room, prefix, ownerId,
            new MembersShape(options.Members, expected.Length, options.AddConcurrency, options.Readers, options.Rounds,
                options.WarmupRounds, options.PageLimits),
            add, beforePaging, paging, new HttpReport(http.ConnectionsOpened, http.Requests),
            new MachineReport(Environment.ProcessorCount, ProcFs.CpuModel(), ProcFs.MemoryMiB(), Round(busy)));
    }

    /// <summary>Runs <c>/bin/sh -c command</c> with the tool's stdout and stderr, and waits for it.</summary>
    private static async Task<BeforePagingReport> RunCommandAsync(string command, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start /bin/sh -c {command}");
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        return new BeforePagingReport(command, process.ExitCode, Round(Stopwatch.GetElapsedTime(started).TotalSeconds));
    }

    private static async Task CreateRoomAsync(MembersHttp http, HttpClient client, string room, CancellationToken ct)
    {
        var (status, body) = await http.SendAsync(client, HttpMethod.Post, "api/rooms",
            $$"""{"kind":"private","name":"{{room}}"}""", ct).ConfigureAwait(false);
        if (status != 201)
        {
            throw new InvalidOperationException($"POST /api/rooms answered {MembersHttp.Describe(status, body)}, not 201");
        }
    }

    private static async Task<MemberAddReport> AddAsync(BenchOptions options, MembersHttp http, HttpClient client, string room,
        string[] ids, CancellationToken ct)
    {
        var latency = new LatencyRecorder();
        var failures = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        int created = 0, already = 0;
        var path = $"api/rooms/{room}/members";
        var start = WindowSample.Take(options, []);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.AddConcurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(ids, parallel, async (id, token) =>
        {
            var sent = Stopwatch.GetTimestamp();
            var outcome = await TrySendAsync(http, client, HttpMethod.Post, path, $$"""{"userId":"{{id}}"}""", token).ConfigureAwait(false);
            if (outcome.Failure is { } failure)
            {
                RunContext.Count(failures, failure);
                return;
            }

            latency.RecordTicks(Stopwatch.GetTimestamp() - sent);
            switch (outcome.Status)
            {
                case 201: Interlocked.Increment(ref created); break;
                case 200: Interlocked.Increment(ref already); break;
                default: RunContext.Count(failures, MembersHttp.Describe(outcome.Status, outcome.Body)); break;
            }
        }).ConfigureAwait(false);
        var end = WindowSample.Take(options, []);
        var seconds = start.SecondsUntil(end);
        return new MemberAddReport(ids.Length, created, already, Sorted(failures), Round(seconds), Round(ids.Length / seconds),
            latency.SummarizePercentiles(), Cost(options, start, end, ids.Length));
    }

    private static async Task<PagingReport> PageAsync(BenchOptions options, MembersHttp http, List<HttpClient> readers, string room,
        string[] expected, int limit, CancellationToken ct)
    {
        var latency = new LatencyRecorder();
        var failures = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var warmup = await Task.WhenAll(readers.Select(reader =>
            WalkRoundsAsync(http, reader, room, expected, limit, options.WarmupRounds, null, failures, ct))).ConfigureAwait(false);
        var start = WindowSample.Take(options, []);
        var measured = await Task.WhenAll(readers.Select(reader =>
            WalkRoundsAsync(http, reader, room, expected, limit, options.Rounds, latency, failures, ct))).ConfigureAwait(false);
        var end = WindowSample.Take(options, []);

        var check = warmup.Concat(measured).Aggregate(WalkCheck.None, (sum, c) => sum.Plus(c));
        var timed = latency.SummarizePercentiles();
        var seconds = start.SecondsUntil(end);
        return new PagingReport(limit, timed.Count, Round(seconds), Round(timed.Count / seconds), timed, check, Sorted(failures),
            Cost(options, start, end, timed.Count));
    }

    /// <summary><paramref name="rounds"/> walks through the whole list, one after the other, on one reader's connection.</summary>
    private static async Task<WalkCheck> WalkRoundsAsync(MembersHttp http, HttpClient reader, string room, string[] expected, int limit,
        int rounds, LatencyRecorder? latency, ConcurrentDictionary<string, long> failures, CancellationToken ct)
    {
        var sum = WalkCheck.None;
        for (var round = 0; round < rounds; round++)
        {
            sum = sum.Plus(await WalkAsync(http, reader, room, expected, limit, latency, failures, ct).ConfigureAwait(false));
        }

        return sum;
    }

    private static async Task<WalkCheck> WalkAsync(MembersHttp http, HttpClient reader, string room, string[] expected, int limit,
        LatencyRecorder? latency, ConcurrentDictionary<string, long> failures, CancellationToken ct)
    {
        var check = new MemberWalkCheck(expected, limit);
        var limitText = limit.ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            var path = check.After.Length == 0
                ? $"api/rooms/{room}/members?limit={limitText}"
                : $"api/rooms/{room}/members?limit={limitText}&after={Uri.EscapeDataString(check.After)}";
            var sent = Stopwatch.GetTimestamp();
            var outcome = await TrySendAsync(http, reader, HttpMethod.Get, path, null, ct).ConfigureAwait(false);
            var elapsed = Stopwatch.GetTimestamp() - sent;
            if (outcome.Failure is { } failure || outcome.Status != 200)
            {
                RunContext.Count(failures, outcome.Failure ?? MembersHttp.Describe(outcome.Status, outcome.Body));
                return check.Result(aborted: true);
            }

            latency?.RecordTicks(elapsed);
            MemberPageBody? page;
            try
            {
                page = JsonSerializer.Deserialize(outcome.Body, MembersJsonContext.Default.MemberPageBody);
            }
            catch (JsonException)
            {
                page = null;
            }

            if (page?.Members is not { } members || page.Room != room)
            {
                RunContext.Count(failures, "200 unreadable body");
                return check.Result(aborted: true);
            }

            if (!check.Take([.. members.Select(m => m.UserId)], page.HasMore))
            {
                return check.Result();
            }
        }
    }

    private static async Task<(int Status, byte[] Body, string? Failure)> TrySendAsync(MembersHttp http, HttpClient client,
        HttpMethod method, string path, string? json, CancellationToken ct)
    {
        try
        {
            var (status, body) = await http.SendAsync(client, method, path, json, ct).ConfigureAwait(false);
            return (status, body, null);
        }
        catch (HttpRequestException e)
        {
            return (0, [], $"http {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (0, [], "timeout");
        }
    }

    private static PhaseCost Cost(BenchOptions options, WindowSample start, WindowSample end, long items)
    {
        var shares = new List<CpuShare>();
        for (var i = 0; i < options.ServerPids.Count; i++)
        {
            shares.Add(Share("rawchat", start.Servers[i], end.Servers[i], items));
        }

        for (var i = 0; i < options.AuxPids.Count; i++)
        {
            shares.Add(Share(options.AuxPids[i].Label, start.Aux[i], end.Aux[i], items));
        }

        var machineTotal = end.Machine.TotalTicks - start.Machine.TotalTicks;
        var busy = machineTotal > 0 ? (end.Machine.BusyTicks - start.Machine.BusyTicks) * 100.0 / machineTotal : 0;
        return new PhaseCost(shares, Round((end.ToolCpu - start.ToolCpu).TotalSeconds), Round(busy));
    }

    private static CpuShare Share(string label, ProcessSample start, ProcessSample end, long items)
    {
        var cpu = end.CpuSeconds - start.CpuSeconds;
        return new CpuShare(label, end.Pid, Round(cpu), items > 0 ? Round(cpu * 1e6 / items) : null);
    }

    private static SortedDictionary<string, long> Sorted(ConcurrentDictionary<string, long> tally) =>
        new(tally.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);

    private static double Round(double value) => Math.Round(value, 3);
}
