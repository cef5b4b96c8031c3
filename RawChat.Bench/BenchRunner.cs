using System.Diagnostics;
using System.Security.Cryptography;
using RawChat.Bench.Load;
using RawChat.Bench.Metrics;
using RawChat.Bench.Options;
using RawChat.Bench.Reporting;

namespace RawChat.Bench;

/// <summary>
/// One run: connect everyone (C handshakes in flight), let the senders post on their schedule
/// through the warm-up and the measured window, wait for the tail, close, then count what arrived.
/// </summary>
public static class BenchRunner
{
    public static async Task<BenchReport> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        RaiseThreadPoolMinimum(options.MinThreads);
        var startedAt = DateTimeOffset.UtcNow;
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var layout = new Layout(options, runId);
        var context = new RunContext(options.Rooms);
        var lifetime = TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds + options.TailTimeoutSeconds + 3600);
        var minter = new TokenMinter(options.Secret, lifetime);
        var toolCpuAtStart = CurrentCpu();

        var clients = new BenchClient?[options.Connections];
        var primers = options.Scenario == Scenario.Idle ? Math.Min(50, options.Connections / 10) : 0;
        var connecting = Stopwatch.GetTimestamp();
        List<BenchClient> connected;
        WindowSample baseline, start, end;
        TailResult tail;
        double connectSeconds;
        int stillOpen;
        try
        {
            context.MeasureConnects = primers == 0;
            await ConnectAsync(options, layout, context, minter, clients, 0, primers, ct).ConfigureAwait(false);
            context.MeasureConnects = true;
            baseline = WindowSample.Take(options, Connected(clients));
            await ConnectAsync(options, layout, context, minter, clients, primers, options.Connections, ct).ConfigureAwait(false);
            connectSeconds = Stopwatch.GetElapsedTime(connecting).TotalSeconds;
            connected = Connected(clients);
            foreach (var client in connected)
            {
                context.Members[client.Room]++;
            }

            (start, end, tail) = options.Scenario == Scenario.Idle
                ? await HoldAsync(options, connected, ct).ConfigureAwait(false)
                : await LoadAsync(options, layout, context, clients, ct).ConfigureAwait(false);
            stillOpen = connected.Count(c => c.IsOpen);
        }
        finally
        {
            // Also on failure or cancellation: never leave sockets open on the server.
            await CloseAllAsync(Connected(clients)).ConfigureAwait(false);
        }

        return new ReportBuilder(options, context, connected, runId, startedAt).Build(
            primers, connectSeconds, stillOpen, baseline, start, end, tail, CurrentCpu() - toolCpuAtStart);
    }

    private static async Task<(WindowSample Start, WindowSample End, TailResult Tail)> HoldAsync(
        BenchOptions options, IReadOnlyList<BenchClient> clients, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), ct).ConfigureAwait(false);
        var start = WindowSample.Take(options, clients);
        await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds), ct).ConfigureAwait(false);
        return (start, WindowSample.Take(options, clients), new TailResult(0, true));
    }

    private static async Task<(WindowSample Start, WindowSample End, TailResult Tail)> LoadAsync(
        BenchOptions options, Layout layout, RunContext context, BenchClient?[] clients, CancellationToken ct)
    {
        var connected = Connected(clients);
        var frequency = Stopwatch.Frequency;
        var t0 = Stopwatch.GetTimestamp() + frequency / 10;
        var windowStart = t0 + (long)(options.WarmupSeconds * frequency);
        var windowEnd = windowStart + (long)(options.DurationSeconds * frequency);
        context.WindowStart = windowStart;

        var interval = (long)(frequency / options.Rate);
        var senderIndices = layout.Senders();
        var senders = new List<Task>(senderIndices.Count);
        for (var k = 0; k < senderIndices.Count; k++)
        {
            if (clients[senderIndices[k]] is not { } client)
            {
                continue; // its connection failed (counted)
            }

            // Spread senders over one interval, except in a burst, where all post at the same moment.
            // Elsewhere they also join one by one over the first two thirds of the warm-up: a ramp,
            // so a fresh node's JIT warm-up does not leave a backlog that the window would inherit.
            var ramp = (long)(options.WarmupSeconds * 2 / 3 * frequency);
            var firstDue = options.Scenario == Scenario.Burst
                ? t0
                : t0 + ramp * k / senderIndices.Count + interval * k / senderIndices.Count;
            var sender = new Sender(client, k, context, options.MessageBytes);
            senders.Add(Task.Run(() => sender.RunAsync(firstDue, interval, windowEnd, ct), ct));
        }

        await DelayUntilAsync(windowStart, ct).ConfigureAwait(false);
        var start = WindowSample.Take(options, connected);
        await DelayUntilAsync(windowEnd, ct).ConfigureAwait(false);
        var end = WindowSample.Take(options, connected);
        await Task.WhenAll(senders).ConfigureAwait(false);
        var tail = await WaitForTailAsync(connected, TimeSpan.FromSeconds(options.TailTimeoutSeconds), ct).ConfigureAwait(false);
        return (start, end, tail);
    }

    /// <summary>Until every post was answered and every expected delivery arrived, or the timeout.</summary>
    private static async Task<TailResult> WaitForTailAsync(IReadOnlyList<BenchClient> clients, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            long sent = 0, answered = 0, expected = 0, delivered = 0;
            foreach (var c in clients)
            {
                sent += Volatile.Read(ref c.Sent);
                answered += Volatile.Read(ref c.Acked) + Volatile.Read(ref c.Refused);
                expected += Volatile.Read(ref c.Expected);
                delivered += Volatile.Read(ref c.Delivered);
            }

            var complete = answered >= sent && delivered >= expected;
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (complete || elapsed >= timeout || !clients.Any(c => c.IsOpen))
            {
                return new TailResult(elapsed.TotalSeconds, complete);
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    private static async Task ConnectAsync(BenchOptions options, Layout layout, RunContext context, TokenMinter minter,
        BenchClient?[] clients, int from, int to, CancellationToken ct)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), parallel, async (i, token) =>
        {
            var uri = layout.UriFor(i, minter.Mint(layout.UserId(i), $"b{i}"));
            clients[i] = await BenchClient.ConnectAsync(i, layout.RoomOf(i), uri, context, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task CloseAllAsync(IReadOnlyList<BenchClient> clients)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 200 };
        await Parallel.ForEachAsync(clients, parallel, async (client, _) => await client.CloseAsync().ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken ct)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromTicks(remaining * TimeSpan.TicksPerSecond / Stopwatch.Frequency), ct)
                .ConfigureAwait(false);
        }
    }

    private static List<BenchClient> Connected(BenchClient?[] clients) => [.. clients.OfType<BenchClient>()];

    private static TimeSpan CurrentCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static void RaiseThreadPoolMinimum(int minimum)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, minimum), Math.Max(io, minimum));
    }
}

internal sealed record TailResult(double Seconds, bool Complete);
