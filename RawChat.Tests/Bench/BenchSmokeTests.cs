using System.Text.Json;
using NUnit.Framework;
using RawChat.Bench;
using RawChat.Bench.Members;
using RawChat.Bench.Options;
using RawChat.Bench.Reporting;
using RawChat.Tests.Support;

namespace RawChat.Tests.Bench;

/// <summary>
/// A five-second run of the benchmark tool against a real node, to prove the tool works and that
/// its bookkeeping adds up. Benchmarks are not timed tests: nothing here asserts a rate or a latency.
/// </summary>
public sealed class BenchSmokeTests : NodeFixture
{
    [Test]
    public async Task Fanout_run_delivers_every_acked_post_to_its_whole_room_once_and_in_order()
    {
        var options = BenchOptions.For(Scenario.Fanout) with
        {
            Urls = [Node.WsBase],
            Connections = 20,
            RoomSize = 10,
            Senders = 4,
            Rate = 5,
            WarmupSeconds = 1,
            DurationSeconds = 3,
            TailTimeoutSeconds = 10,
            Secret = TestTokens.Secret,
            ServerPids = [Environment.ProcessId],
        };

        var report = await BenchRunner.RunAsync(options, CancellationToken.None);

        var traffic = report.Traffic;
        Assert.Multiple(() =>
        {
            Assert.That(report.Connections.Connected, Is.EqualTo(20), () => Summary(report));
            Assert.That(traffic.Sent, Is.GreaterThan(0), () => Summary(report));
            Assert.That(traffic.Acked, Is.EqualTo(traffic.Sent), () => Summary(report));
            Assert.That(traffic.ExpectedDeliveries, Is.EqualTo(traffic.Acked * 10), () => Summary(report));
            Assert.That(traffic.Delivered, Is.EqualTo(traffic.ExpectedDeliveries), () => Summary(report));
            Assert.That(traffic.Lost, Is.Zero, () => Summary(report));
            Assert.That(traffic.Duplicated, Is.Zero, () => Summary(report));
            Assert.That(traffic.OutOfOrder, Is.Zero, () => Summary(report));
            Assert.That(report.RefusalsByCode, Is.Empty, () => Summary(report));
        });

        // The report's two outputs work too.
        var json = JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport);
        Assert.That(JsonDocument.Parse(json).RootElement.GetProperty("traffic").GetProperty("lost").GetInt64(), Is.Zero);
        TestContext.Out.WriteLine(Summary(report));
    }

    [Test]
    public async Task Members_run_adds_everyone_and_every_walk_lists_them_all_once_in_byte_order()
    {
        var options = BenchOptions.For(Scenario.Members) with
        {
            Urls = [Node.WsBase],
            Members = 450,
            AddConcurrency = 8,
            Readers = 2,
            Rounds = 1,
            WarmupRounds = 1,
            PageLimits = [200, 50],
            Secret = TestTokens.Secret,
            ServerPids = [Environment.ProcessId],
        };

        var report = await MembersRunner.RunAsync(options, CancellationToken.None);

        using var text = new StringWriter();
        MembersSummaryWriter.Write(report, text);
        var summary = text.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(report.Clean, Is.True, summary);
            Assert.That(report.Add.Created, Is.EqualTo(450), summary);
            Assert.That(report.Add.FailuresByCode, Is.Empty, summary);
            Assert.That(report.Shape.ListedMembers, Is.EqualTo(451), "the 450 added and the room's owner");
            foreach (var (paging, pagesPerWalk) in report.Paging.Zip(new[] { 3, 10 }))
            {
                // Two readers, one warm-up walk and one timed walk each: four walks checked, two timed.
                Assert.That(paging.Check.Walks, Is.EqualTo(4), summary);
                Assert.That(paging.Check.CompleteWalks, Is.EqualTo(4), summary);
                Assert.That(paging.Check.Listed, Is.EqualTo(4 * 451), summary);
                Assert.That(paging.Check.Pages, Is.EqualTo(4 * pagesPerWalk), summary);
                Assert.That(paging.Pages, Is.EqualTo(2 * pagesPerWalk), summary);
                Assert.That(paging.LatencyMicros.Count, Is.EqualTo(2 * pagesPerWalk), summary);
            }

            Assert.That(report.Http.ConnectionsOpened, Is.LessThanOrEqualTo(8 + 2), "keep-alive: " + summary);
        });

        var json = JsonSerializer.Serialize(report, BenchJsonContext.Default.MembersReport);
        var root = JsonDocument.Parse(json).RootElement;
        Assert.That(root.GetProperty("clean").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("room").GetString(), Is.EqualTo(report.Room));
        Assert.That(root.GetProperty("paging")[0].GetProperty("latencyMicros").GetProperty("p95").GetInt64(), Is.Positive);
        TestContext.Out.WriteLine(summary);
    }

    private static string Summary(BenchReport report)
    {
        using var text = new StringWriter();
        SummaryWriter.Write(report, text);
        return text.ToString();
    }
}
