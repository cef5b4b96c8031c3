using System.Net.WebSockets;
using System.Text.Json;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/configuration.md "Quotas": a user's posts on all its connections on all nodes share one budget,
/// <c>Quotas:PostBurstPerUser</c> per window. Nodes count locally and flush to Redis, so the budget
/// can be passed by what the user posts on the other nodes in two flush intervals plus round trips.
/// </summary>
public sealed class PostQuotaTests() : TwoNodeFixture(Settings)
{
    private const int Budget = 60;
    private const double FlushSeconds = 0.1;

    /// <summary>A round trip to Redis (and the scheduling around it) on this busy machine, generously.</summary>
    private const double RoundTripSeconds = 1.0;

    // A window of 3,000 s: the few seconds a test posts almost never straddle two of them (see SameWindow).
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Quotas:PostBurstPerUser"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Quotas:PostsPerSecondPerUser"] = "0.02",
        ["Quotas:FlushMilliseconds"] = "100",
        ["Chat:RateLimitStrikes"] = "1000", // posts refused here are not closed for it
    };

    private static readonly long WindowMilliseconds = 3_000_000;

    [Test]
    public async Task User_posting_on_both_nodes_past_its_budget_is_rate_limited_and_stores_within_the_bound_while_another_user_is_not()
    {
        const int perConnection = 40;
        var every = TimeSpan.FromSeconds(0.2); // 5/s: each connection well within its own 20/s
        var room = Rooms.Unique("quota");
        var otherRoom = Rooms.Unique("quota-other");
        var user = ConnectionQuotaTests.UniqueUser();
        var other = ConnectionQuotaTests.UniqueUser();
        var token = TestTokens.For(user, "yara");
        var otherToken = TestTokens.For(other, "zoe");
        var posters = new List<ChatClient>();
        foreach (var node in new[] { A, A, B, B })
        {
            posters.Add(await node.ConnectAsync(token, path: $"/ws/chat/{room}"));
        }

        var bystanders = new[]
        {
            await A.ConnectAsync(otherToken, path: $"/ws/chat/{otherRoom}"),
            await B.ConnectAsync(otherToken, path: $"/ws/chat/{otherRoom}"),
        };

        var window = CurrentWindow();
        var outcomes = await Task.WhenAll(posters.Select((c, i) => PostPacedAsync(c, room, $"p{i}", perConnection, every))
            .Concat(bystanders.Select((c, i) => PostPacedAsync(c, otherRoom, $"b{i}", 10, every))));
        var sameWindow = CurrentWindow() == window;

        var mine = outcomes[..posters.Count];
        var stored = mine.Sum(o => o.Acked.Count);
        // The other node posts 2 × 5/s; a node learns of it at most two flushes and round trips late.
        var bound = Budget + (2 * 5 * 2 * (FlushSeconds + RoundTripSeconds));
        TestContext.Out.WriteLine($"stored {stored} of {perConnection * posters.Count} posts; budget {Budget}, bound {bound}");
        Assert.Multiple(() =>
        {
            Assert.That(mine.SelectMany(o => o.Refused).Select(r => r.Code), Is.Not.Empty.And.All.EqualTo("rate_limited"));
            Assert.That(mine.SelectMany(o => o.Refused).Select(r => r.ClientMsgId), Is.All.StartsWith("p"),
                "each refusal echoes the clientMsgId of the post it refuses");
            Assert.That(stored, Is.AtLeast(Budget), "the whole budget could be used");
            Assert.That(stored, Is.AtMost(sameWindow ? bound : 2 * bound),
                $"stored {stored}: more than the budget of {Budget} plus what the other node can post before it knows");
            Assert.That(outcomes[posters.Count..].SelectMany(o => o.Refused), Is.Empty, "the other user was refused");
            Assert.That(outcomes[posters.Count..].Sum(o => o.Acked.Count), Is.EqualTo(20));
        });
        Assert.That(await StoredCountAsync(room, user), Is.EqualTo(stored), "every ack is a stored message and nothing else was");
        foreach (var client in posters.Concat(bystanders))
        {
            Assert.That(client.Socket.State, Is.EqualTo(WebSocketState.Open));
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task Posting_on_past_the_user_budget_counts_as_strikes_and_closes_the_socket_1008()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Quotas:PostBurstPerUser"] = "3",
            ["Quotas:PostsPerSecondPerUser"] = "0.001",
            ["Chat:RateLimitStrikes"] = "3",
        });
        await using var client = await node.ConnectAsync(TestTokens.For(ConnectionQuotaTests.UniqueUser(), "ada"), path: $"/ws/chat/{Rooms.Unique("strikes")}");

        for (var i = 1; i <= 8; i++)
        {
            await client.SendAsync(new { type = "send", message = $"post {i}", clientMsgId = $"c-{i}" });
        }

        var frames = new List<JsonElement>();
        try
        {
            while (true)
            {
                frames.Add(await client.ReceiveAsync());
            }
        }
        catch (InvalidOperationException)
        {
            // closed
        }

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(reason, Is.EqualTo("policy_violation"));
        Assert.That(frames.Where(f => f.GetProperty("type").GetString() == "error").Select(f => f.GetProperty("code").GetString()),
            Is.Not.Empty.And.All.EqualTo("rate_limited"));
    }

    private static long CurrentWindow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / WindowMilliseconds;

    /// <summary>Posts <paramref name="count"/> times at a steady pace, each with a clientMsgId, and collects every answer.</summary>
    internal static async Task<Outcome> PostPacedAsync(ChatClient client, string room, string prefix, int count, TimeSpan every)
    {
        var answers = ReadAnswersAsync(client, count);
        using var pace = new PeriodicTimer(every);
        for (var i = 0; i < count; i++)
        {
            await client.SendAsync(new { type = "send", room, message = $"{prefix} {i}", clientMsgId = $"{prefix}-{i}" });
            await pace.WaitForNextTickAsync();
        }

        return await answers;
    }

    private static async Task<Outcome> ReadAnswersAsync(ChatClient client, int count)
    {
        var outcome = new Outcome([], []);
        while (outcome.Acked.Count + outcome.Refused.Count < count)
        {
            var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(60));
            switch (frame.GetProperty("type").GetString())
            {
                case "ack":
                    outcome.Acked.Add(frame.GetProperty("clientMsgId").GetString()!);
                    break;
                case "error":
                    outcome.Refused.Add((frame.GetProperty("code").GetString()!,
                        frame.TryGetProperty("clientMsgId", out var id) ? id.GetString() : null));
                    break;
            }
        }

        return outcome;
    }

    private static async Task<long> StoredCountAsync(string room, string userId)
    {
        await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
        return await db.ExecuteScalarAsync<long>("SELECT count(*) FROM messages WHERE room = @room AND user_id = @userId",
            new { room, userId });
    }

    internal sealed record Outcome(List<string> Acked, List<(string Code, string? ClientMsgId)> Refused);
}
