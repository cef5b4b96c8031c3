using System.Collections.Concurrent;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// A hung dependency is the server's fault, never the client's. PostgreSQL or Redis is frozen
/// for real (SIGSTOP of every process, connections left open) for 8 s while eight clients on two
/// nodes post at half their rate limit: no client is closed, every post is answered promptly and
/// truthfully (an ack is stored, an <c>unavailable</c> is neither stored nor delivered), nothing
/// acked is lost, and posting works again within seconds of the resume.
/// </summary>
public sealed class HungDependencyTests
{
    private const int PostersPerNode = 4;
    private const double PostsPerSecond = 10; // half the default limit of 20
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The bound. Storage's deadlines answer a post within 1.5 s in the queue + 2.5 s for
    /// its statement (abandoned at once, however hung PostgreSQL is); the rest is slack for a loaded machine.
    /// </summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(5);

    [Test]
    public async Task With_PostgreSQL_hung_every_post_is_answered_in_time_truthfully_no_client_is_closed_and_posting_resumes()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        var logs = new LogCapture();
        await using var a = await ChatNode.StartAsync(postgres: database, logs: logs);
        await using var b = await ChatNode.StartAsync(postgres: database, logs: logs);
        var room = Rooms.Unique("pghang");
        var readers = new[] { await RoomReader.StartAsync(a, room, "1390"), await RoomReader.StartAsync(b, room, "1391") };
        await using var posters = SteadyPosters.Start(await ConnectPostersAsync(a, b, room), room, PostsPerSecond);

        await WaitForAcksAsync(posters, 20);
        var frozenAt = posters.Now;
        postgres.Freeze();
        try
        {
            await Task.Delay(Hang); // the outage itself: a stretch of time, not a wait for an event
        }
        finally
        {
            postgres.Resume();
        }

        var resumedAt = posters.Now;
        // Posting works again within seconds: every post sent from 5 s after the resume is acked.
        await Eventually.ThatAsync(() => posters.Posts.Values.Count(p => p.SentAt > resumedAt + TimeSpan.FromSeconds(5) && p.Answer == "ack"),
            Is.GreaterThanOrEqualTo(20), "posts sent from 5 s after the resume and acked", TimeSpan.FromSeconds(60));
        Assert.That(await posters.StopAndWaitForAnswersAsync(TimeSpan.FromSeconds(60)), Is.True, "every post got an answer");

        Assert.That(posters.Closes, Is.Empty, "no client is closed for a stall of the server's");
        var all = posters.Posts.Values.ToList();
        var during = all.Where(p => p.SentAt >= frozenAt && p.SentAt < resumedAt).ToList();
        TestContext.Out.WriteLine($"{all.Count} posts, {during.Count} during the hang: {Tally(during)}; after: {Tally(all.Except(during))}; "
            + $"slowest answer {all.Max(p => p.Latency).TotalSeconds:F2} s");
        Assert.That(all.Select(p => p.Answer).Distinct(), Is.SubsetOf(new[] { "ack", "unavailable" }));
        Assert.That(during.Count(p => p.Answer == "unavailable"), Is.GreaterThan(0), "the hang was felt");
        Assert.That(all.Where(p => p.SentAt > resumedAt + TimeSpan.FromSeconds(5)).Select(p => p.Answer), Has.All.EqualTo("ack"));

        // A COMMIT sent just before the freeze cannot be known until PostgreSQL answers again; only
        // then may an answer take longer than the deadlines (event 111 says it happened).
        var commitsInDoubt = logs.Lines.Count(l => l.Contains("[111]", StringComparison.Ordinal));
        var late = all.Where(p => p.Latency > AnswerBound).ToList();
        TestContext.Out.WriteLine($"{late.Count} answered after {AnswerBound.TotalSeconds} s; {commitsInDoubt} COMMITs in doubt");
        Assert.That(late.Count == 0 || commitsInDoubt > 0, Is.True,
            $"{late.Count} posts answered after {AnswerBound.TotalSeconds} s, slowest {all.Max(p => p.Latency).TotalSeconds:F1} s");

        await using var db = new NpgsqlConnection(database);
        var stored = (await db.QueryAsync<string>("SELECT client_msg_id FROM messages WHERE room = @room", new { room })).ToHashSet();
        Assert.That(all.Where(p => p.Answer == "ack" && !stored.Contains(p.ClientMsgId)), Is.Empty, "nothing acked is lost");
        Assert.That(all.Where(p => p.Answer == "unavailable" && stored.Contains(p.ClientMsgId)).Select(p => p.ClientMsgId), Is.Empty,
            "unavailable is true: not stored");
        foreach (var reader in readers)
        {
            await reader.WaitForAsync(stored.Count);
            Assert.That(reader.ClientMsgIds, Is.EquivalentTo(stored), "delivered is exactly what is stored: never a refused post");
            Assert.That(reader.Seqs, Is.EqualTo(Enumerable.Range(1, stored.Count).Select(s => (long)s)), "in order, each once");
            await reader.DisposeAsync();
        }
    }

    [Test]
    public async Task With_Redis_hung_posts_are_acked_promptly_and_both_nodes_deliver_everything_in_order()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString };
        await using var a = await ChatNode.StartAsync(settings);
        await using var b = await ChatNode.StartAsync(settings);
        var room = Rooms.Unique("redishang");
        var readers = new[] { await RoomReader.StartAsync(a, room, "1392"), await RoomReader.StartAsync(b, room, "1393") };
        await using var posters = SteadyPosters.Start(await ConnectPostersAsync(a, b, room), room, PostsPerSecond);

        await WaitForAcksAsync(posters, 20);
        redis.Freeze();
        try
        {
            await Task.Delay(Hang); // the outage itself
        }
        finally
        {
            redis.Resume();
        }

        Assert.That(await posters.StopAndWaitForAnswersAsync(TimeSpan.FromSeconds(60)), Is.True, "every post got an answer");
        Assert.That(posters.Closes, Is.Empty);
        var all = posters.Posts.Values.ToList();
        var latencies = all.Select(p => p.Latency.TotalMilliseconds).Order().ToList();
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        TestContext.Out.WriteLine($"{all.Count} posts, ack p99 {p99:F0} ms");
        Assert.That(all.Select(p => p.Answer), Has.All.EqualTo("ack"), "PostgreSQL is the truth: posts need no Redis");
        Assert.That(p99, Is.LessThan(1000), "acks stay prompt");
        foreach (var reader in readers)
        {
            await reader.WaitForAsync(all.Count);
            Assert.That(reader.Seqs, Is.EqualTo(Enumerable.Range(1, all.Count).Select(s => (long)s)), "complete, in order, each once");
            await reader.DisposeAsync();
        }
    }

    [Test]
    public async Task Posts_sent_while_the_server_was_stuck_on_a_clients_join_are_counted_when_sent_not_when_read()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:CommandTimeoutMilliseconds"] = "6000", // the join's read waits this long for a hung PostgreSQL
        }, postgres: database, logs: DebugLogs);
        var room = Rooms.Unique("stuck");
        await using var client = await node.ConnectAsync(TestTokens.For("1395", "patient"), path: $"/ws/chat/{room}");
        await client.PostAndAckAsync(room, "before", "c-before");

        postgres.Freeze();
        await client.SendAsync(new { type = "join", room = Rooms.Unique("other") }); // holds this client's receive loop
        var ids = new List<string>();
        using (var pace = new PeriodicTimer(TimeSpan.FromSeconds(1 / 15.0))) // 15 posts/s, within the limit of 20
        {
            for (var i = 0; i < 75; i++)
            {
                await pace.WaitForNextTickAsync();
                ids.Add($"c-{i}");
                await client.SendAsync(new { type = "send", room, message = $"m{i}", clientMsgId = ids[^1] });
            }
        }

        List<System.Text.Json.JsonElement> joinAnswer;
        try
        {
            joinAnswer = await client.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "error"
                && !f.TryGetProperty("clientMsgId", out _));
        }
        catch
        {
            // The node's last log lines say why the refusal did not come.
            foreach (var line in DebugLogs.Lines.TakeLast(30))
            {
                TestContext.Out.WriteLine(line[..Math.Min(line.Length, 400)]);
            }

            throw;
        }
        postgres.Resume();
        var answers = new Dictionary<string, string>();
        while (answers.Count < ids.Count)
        {
            var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(60));
            if (frame.TryGetProperty("clientMsgId", out var id) && frame.GetProperty("type").GetString() is "ack" or "error")
            {
                answers[id.GetString()!] = frame.GetProperty("type").GetString() == "ack" ? "ack" : frame.GetProperty("code").GetString()!;
            }
        }

        TestContext.Out.WriteLine($"join answered {joinAnswer[^1]}; posts: "
            + string.Join(", ", answers.Values.GroupBy(a => a).Select(g => $"{g.Count()} {g.Key}")));
        Assert.That(answers.Values, Has.None.EqualTo("rate_limited"), "75 posts at 15/s are within the limit, however late they were read");
        Assert.That(client.Closed.IsCompleted, Is.False, "no client is closed for a stall of the server's");
    }

    private static readonly LogCapture DebugLogs = new();

    private static async Task<List<ChatClient>> ConnectPostersAsync(ChatNode a, ChatNode b, string room)
    {
        var clients = new List<ChatClient>();
        for (var i = 0; i < 2 * PostersPerNode; i++)
        {
            var node = i % 2 == 0 ? a : b;
            clients.Add(await node.ConnectAsync(TestTokens.For($"{1380 + i}", $"steady{i}"), path: $"/ws/chat/{room}"));
        }

        return clients;
    }

    private static Task WaitForAcksAsync(SteadyPosters posters, int count) =>
        Eventually.ThatAsync(() => posters.Posts.Values.Count(p => p.Answer == "ack"), Is.GreaterThanOrEqualTo(count),
            "posts acked before the outage", TimeSpan.FromSeconds(60));

    private static string Tally(IEnumerable<SteadyPosters.Post> posts) =>
        string.Join(", ", posts.GroupBy(p => p.Answer ?? "none").Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>A member of the room on one node that records every message frame it gets.</summary>
    private sealed class RoomReader : IAsyncDisposable
    {
        private readonly ChatClient _client;
        private readonly ConcurrentQueue<(long Seq, string? ClientMsgId)> _messages = new();
        private readonly Task _reading;

        private RoomReader(ChatClient client)
        {
            _client = client;
            _reading = Task.Run(ReadAsync);
        }

        public IEnumerable<long> Seqs => _messages.Select(m => m.Seq);

        public IEnumerable<string?> ClientMsgIds => _messages.Select(m => m.ClientMsgId);

        public static async Task<RoomReader> StartAsync(ChatNode node, string room, string userId) =>
            new(await node.ConnectAsync(TestTokens.For(userId, "reader" + userId), path: $"/ws/chat/{room}"));

        public Task WaitForAsync(int count) =>
            Eventually.ThatAsync(() => _messages.Count, Is.GreaterThanOrEqualTo(count), "messages the reader got", TimeSpan.FromSeconds(60));

        public async ValueTask DisposeAsync()
        {
            await _client.DisposeAsync();
            await _reading;
        }

        private async Task ReadAsync()
        {
            while (true)
            {
                System.Text.Json.JsonElement frame;
                try
                {
                    frame = await _client.ReceiveAsync(TimeSpan.FromMinutes(5));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    return;
                }

                if (frame.GetProperty("type").GetString() == "message")
                {
                    _messages.Enqueue((frame.GetProperty("seq").GetInt64(),
                        frame.TryGetProperty("clientMsgId", out var id) ? id.GetString() : null));
                }
            }
        }
    }
}
