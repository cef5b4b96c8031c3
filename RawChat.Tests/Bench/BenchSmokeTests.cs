using System.Text.Json;
using NUnit.Framework;
using RawChat.Bench;
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

    private static string Summary(BenchReport report)
    {
        using var text = new StringWriter();
        SummaryWriter.Write(report, text);
        return text.ToString();
    }
}
