using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// Storage is never stalled by the read side: every read (REST pages, history frames, replays)
/// passes one bounded gate on connections of its own, so hundreds of readers asking for the
/// largest pages leave a poster's acks prompt, and readers past the gate are told to come back.
/// </summary>
public sealed class ReadPressureTests
{
    [Test]
    public async Task Three_hundred_concurrent_REST_readers_of_large_pages_leave_a_posters_acks_prompt()
    {
        await using var node = await ChatNode.StartAsync();
        var room = Rooms.Unique("readers");
        await SeedLargeMessagesAsync(room, 300);
        await using var poster = await node.ConnectAsync(TestTokens.For("1701", "poster"), path: $"/ws/chat/{room}");
        var token = TestTokens.For("1702", "reader");

        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 300 })
        {
            BaseAddress = node.HttpBase,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var readers = Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync($"/api/rooms/{room}/messages?limit=200", HttpCompletionOption.ResponseContentRead);
                statuses.Add(response.StatusCode);
            }
        })).ToList();

        var latencies = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await poster.PostAndAckAsync(room, $"while they read {i}", $"c-{i}");
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            await pace.WaitForNextTickAsync();
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        latencies.Sort();
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        TestContext.Out.WriteLine($"{statuses.Count} reads ({statuses.Count(s => s == HttpStatusCode.OK)} ok, "
            + $"{statuses.Count(s => s == HttpStatusCode.TooManyRequests)} 429); ack p50 {latencies[latencies.Count / 2]:F0} ms, p99 {p99:F0} ms");
        Assert.That(statuses.Distinct(), Is.SubsetOf(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.That(p99, Is.LessThan(1000), "the poster's ack p99 (ms)");
    }

    [Test]
    public async Task Readers_past_the_read_gate_get_429_rate_limited_with_Retry_After_and_history_and_join_frames_rate_limited()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:MaxConcurrentReads"] = "1",
            ["Storage:ReadQueueTimeoutMilliseconds"] = "0",
        });
        var room = Rooms.Unique("gate");
        await SeedLargeMessagesAsync(room, 200);
        using var http = node.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("1703", "reader"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => http.GetAsync($"/api/rooms/{room}/messages?limit=200")));

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(refused, Is.Not.Empty, "one read slot cannot serve forty at once");
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.OK), Is.GreaterThan(0));
        Assert.That(refused[0].Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(await refused[0].Content.ReadAsStringAsync(), Does.Contain("\"error\":\"rate_limited\""));

        // The same gate refuses history frames: many clients asking at once, some are told rate_limited.
        var clients = new List<ChatClient>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await node.ConnectAsync(TestTokens.For($"{1710 + i}", "pager"), path: $"/ws/chat/{room}"));
        }

        try
        {
            // Reads are quick: a round or two may find the slot free each time; some round will not.
            var codes = new List<string?>();
            for (var round = 0; round < 5 && !codes.Contains("rate_limited"); round++)
            {
                await Task.WhenAll(clients.Select(c => c.SendAsync(new { type = "history", room, limit = 200, clientMsgId = "h" })));
                codes.AddRange(await Task.WhenAll(clients.Select(async c =>
                {
                    var frame = await c.ReceiveAsync();
                    return frame.GetProperty("type").GetString() == "history" ? "history" : frame.GetProperty("code").GetString();
                })));
            }

            Assert.That(codes.Distinct(), Is.SubsetOf(new[] { "history", "rate_limited" }));
            Assert.That(codes, Does.Contain("rate_limited"));

            // A join's history is a client's read too; a refused join leaves the client outside the room.
            var joins = new List<string?>();
            for (var round = 0; round < 5 && !joins.Contains("rate_limited"); round++)
            {
                var other = Rooms.Unique("gate-join");
                await Task.WhenAll(clients.Select(c => c.SendAsync(new { type = "join", room = other })));
                joins.AddRange(await Task.WhenAll(clients.Select(async c =>
                {
                    var frame = await c.ReceiveAsync();
                    if (frame.GetProperty("type").GetString() == "joined")
                    {
                        await c.ReceiveTypeAsync("history");
                        return "joined";
                    }

                    return frame.GetProperty("code").GetString();
                })));
            }

            Assert.That(joins.Distinct(), Is.SubsetOf(new[] { "joined", "rate_limited" }));
            Assert.That(joins, Does.Contain("rate_limited"));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Messages of 4,000 characters: a 200-message page is 800 KB of text before the byte budget cuts it.</summary>
    private static Task SeedLargeMessagesAsync(string room, int count) =>
        StoredMessages.SeedAsync(room, count, "1700", new string('x', 4000));
}
