using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using NUnit.Framework;
using RawChat.Tests.Faults.FrontDoorFuzz;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// Fuzzes the front door with FsCheck: waves of sessions on a live node, each a few hundred
/// generated frames sent pipelined on a raw socket — random JSON, deep nesting, hostile numbers
/// and escapes, wrong types for the protocol's keys, valid posts, fragments with control frames
/// between them — and, for about one session in three, a last frame that must close the
/// connection (invalid UTF-8, binary, too big, broken framing, the client's own close).
/// Every answer must be one docs/protocol.md §2.2 knows (tagged frames the very one it promises), every
/// close the one §2.3 lists for its cause, after which the server ends the TCP connection with a
/// FIN; framing RFC 6455 forbids gets the runtime's 1002 (or a drop: see SessionGen). Never 1011,
/// nothing at Error level in the node's log, every acked post in PostgreSQL, and the node serves
/// others afterwards. A failing wave is shrunk to a small session and printed with FsCheck's seed.
/// </summary>
public sealed class FrontDoorFuzzTests
{
    /// <summary>Waves of 4 sessions of 150–300 steps (fragments and control frames add more frames): about 140,000 frames.</summary>
    private const int Waves = 75;

    private const ulong DefaultSeed = 20261204;

    [Test]
    public async Task Over_a_hundred_thousand_hostile_frames_get_only_protocol_answers_and_closes_and_the_node_serves_on()
    {
        var logs = new LogCapture();
        await using var node = await ChatNode.StartAsync(Limits.Lifted(1_000_000, new()
        {
            // The fuzz is about answers, not about rate limits.
        }), logs: logs);
        var stats = new FuzzStats();
        var runner = new FuzzRunner(node, logs, await SharedDatabase.GetAsync(), stats);
        var seed = Seed();
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Waves)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        var property = Prop.ForAll(Arb.From(SessionGen.Waves, Wave.Shrink), runner.RunWaveAsync);
        TestContext.Out.WriteLine($"FsCheck seed {seed} (RAWCHAT_FUZZ_SEED=<number> replays another)");

        var clock = Stopwatch.StartNew();
        // FsCheck waits for each Task-returning case synchronously: it gets a thread of its own,
        // so that it neither blocks a pool thread nor the test's synchronization context.
        try
        {
            await Task.Factory.StartNew(() => Check.One(config, property), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            if (runner.FirstFailure is { } failure)
            {
                TestContext.Out.WriteLine($"The first failing wave, before shrinking:\n{failure}");
            }
        }

        clock.Stop();

        TestContext.Out.WriteLine($"{stats.Frames:N0} frames in {Waves} waves of {SessionGen.SessionsPerWave} sessions, "
            + $"{clock.Elapsed.TotalSeconds:F1} s ({stats.Frames / clock.Elapsed.TotalSeconds:N0} frames/s)");
        TestContext.Out.WriteLine(stats);
        Assert.That(stats.Frames, Is.GreaterThanOrEqualTo(100_000));
        Assert.That(logs.Lines.Where(FuzzRunner.IsError), Is.Empty, "no exception may escape a socket loop (event 411 or any other Error line)");

        var calm = Rooms.Unique("calm");
        await using var bystander = await node.ConnectAsync(TestTokens.For("9199", "bystander"), path: $"/ws/chat/{calm}");
        var ack = await bystander.PostAndAckAsync(calm, "still serving", "calm-1");
        Assert.That(ack.GetProperty("seq").GetInt64(), Is.EqualTo(1));
    }

    private static ulong Seed() =>
        ulong.TryParse(Environment.GetEnvironmentVariable("RAWCHAT_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : DefaultSeed;
}
