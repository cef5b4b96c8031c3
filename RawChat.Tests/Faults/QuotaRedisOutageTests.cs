using NUnit.Framework;
using RawChat.Tests.EndToEnd;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.Faults;

/// <summary>
/// docs/configuration.md "Quotas": the quotas fail open. With Redis stopped for real, users still connect and
/// post, each node holding each user to the limits on its own; connects admitted so are counted
/// in <c>rawchat_quota_redis_failures_total</c>, and once Redis is back the heartbeat puts their
/// claims in, so the cluster's count catches up.
/// </summary>
public sealed class QuotaRedisOutageTests
{
    private const int Budget = 3;

    [Test]
    public async Task With_Redis_down_users_connect_and_post_and_each_node_holds_them_to_the_limits_alone()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Quotas:MaxConnectionsPerUser"] = "2",
            ["Quotas:HeartbeatSeconds"] = "1",
            ["Quotas:ClaimTtlSeconds"] = "6",
            ["Quotas:PostBurstPerUser"] = $"{Budget}",
            ["Quotas:PostsPerSecondPerUser"] = "0.001", // a window of 3,000 s
        };
        await using var nodeA = await ChatNode.StartAsync(settings);
        await using var nodeB = await ChatNode.StartAsync(settings);
        var user = ConnectionQuotaTests.UniqueUser();
        var token = TestTokens.For(user, "bea");

        await redis.StopAsync();

        await using var onA = await ConnectionQuotaTests.OpenAsync(token, (nodeA, 2));
        await using var onB = await ConnectionQuotaTests.OpenAsync(token, (nodeB, 2));
        ConnectionQuotaTests.AssertTooManyConnections(await Handshake.SendAsync(nodeA, $"/ws/chat?token={token}"));
        Assert.That((await nodeA.ScrapeAsync())["rawchat_quota_redis_failures_total{quota=\"connections\"}"], Is.AtLeast(2));

        var window = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 3_000_000;
        var room = Rooms.Unique("quota-outage");
        await using var poster = await nodeA.ConnectAsync(TestTokens.For(ConnectionQuotaTests.UniqueUser(), "cleo"), path: $"/ws/chat/{room}");
        var outcome = await PostQuotaTests.PostPacedAsync(poster, room, "c", Budget + 2, TimeSpan.FromMilliseconds(20));
        if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 3_000_000 == window)
        {
            Assert.That(outcome.Acked, Has.Count.EqualTo(Budget), "node A alone holds the user to the posting budget");
        }

        Assert.That(outcome.Refused.Select(r => r.Code), Is.All.EqualTo("rate_limited"));

        await redis.StartAgainAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = new RedisKey($"rawchat:quota:connections:{user}");
        await Eventually.ThatAsync(() => admin.GetDatabase().SortedSetLengthAsync(key), Is.EqualTo(4),
            "claims in Redis: the heartbeat puts in those admitted without Redis", TimeSpan.FromSeconds(60));
    }
}
