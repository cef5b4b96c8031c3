using NUnit.Framework;
using RawChat.Tests.EndToEnd;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.Faults;

/// <summary>
/// docs/configuration.md "Quotas": a node's connection claims expire with it. After <c>kill -9</c> its users'
/// places come back one claim TTL later, while the claims of a live node, refreshed by its
/// heartbeat, outlast that TTL.
/// </summary>
public sealed class QuotaNodeLossTests
{
    private const int TtlMilliseconds = 6000;

    [Test]
    public async Task Places_held_on_a_killed_node_come_back_after_the_claim_expiry_and_a_live_nodes_stay_held()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        environment["Quotas__HeartbeatSeconds"] = "1";
        environment["Quotas__ClaimTtlSeconds"] = $"{TtlMilliseconds / 1000}";
        await using var doomed = ApiProcess.Start(environment);
        var doomedReady = doomed.WaitUntilReadyAsync();
        await using var survivor = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Quotas:HeartbeatSeconds"] = "1",
            ["Quotas:ClaimTtlSeconds"] = $"{TtlMilliseconds / 1000}",
        });
        await doomedReady;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);
        var user = ConnectionQuotaTests.UniqueUser();
        var token = TestTokens.For(user, "xena");
        var key = new RedisKey($"rawchat:quota:connections:{user}");

        await using var held = await ConnectionQuotaTests.OpenAsync(token, (survivor, 5));
        var survivorClaims = await redis.GetDatabase().SortedSetRangeByRankWithScoresAsync(key);
        var onDoomed = new List<ChatClient>();
        for (var i = 0; i < 15; i++)
        {
            onDoomed.Add(await ChatClient.ConnectAsync(new Uri(doomed.WsBase, $"/ws/chat?token={token}")));
        }

        ConnectionQuotaTests.AssertTooManyConnections(await Handshake.SendAsync(survivor, $"/ws/chat?token={token}"));

        doomed.Signal("KILL");
        await doomed.WaitForExitAsync();

        // Nothing closed the doomed node's sockets: their claims go as they expire (those the
        // heartbeat had not refreshed yet a little before the others).
        var comeBack = new List<ChatClient>();
        for (var i = 0; i < 15; i++)
        {
            Assert.That(await Eventually.HoldsAsync(async () =>
            {
                if (await ConnectionQuotaTests.TryConnectAsync(survivor, token) is not { } client)
                {
                    return false;
                }

                comeBack.Add(client);
                return true;
            }, TimeSpan.FromSeconds(60)), Is.True, $"only {i} of the killed node's 15 places came back");
        }

        // The survivor's first five claims live on past their first expiry, refreshed by its heartbeat ...
        Assert.That(survivorClaims, Has.Length.EqualTo(5));
        Assert.That(await Eventually.HoldsAsync(async () =>
        {
            var db = redis.GetDatabase();
            var scores = await Task.WhenAll(survivorClaims.Select(c => db.SortedSetScoreAsync(key, c.Element)));
            return scores.Zip(survivorClaims).All(s => s.First >= s.Second.Score + TtlMilliseconds);
        }, TimeSpan.FromSeconds(60)), Is.True, "the survivor's claims were not refreshed");

        // ... so they still count.
        ConnectionQuotaTests.AssertTooManyConnections(await Handshake.SendAsync(survivor, $"/ws/chat?token={token}"));
        foreach (var client in comeBack.Concat(onDoomed))
        {
            await client.DisposeAsync();
        }
    }
}
