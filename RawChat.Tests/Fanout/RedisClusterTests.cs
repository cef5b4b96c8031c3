using System.Net;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.Fanout;

/// <summary>
/// Two nodes on a three-master Redis Cluster with <c>Fanout:ShardedPubSub</c>: each room's channel
/// is a shard channel on the master owning its slot, and rooms on every shard chat across nodes.
/// </summary>
public sealed class RedisClusterTests
{
    private const string ChannelPrefix = "rawchat:room:";

    private RedisCluster _cluster = null!;
    private ChatNode _a = null!;
    private ChatNode _b = null!;
    private ConnectionMultiplexer _redis = null!;
    private List<ClusterNode> _masters = null!;

    [OneTimeSetUp]
    public async Task StartClusterAndNodesAsync()
    {
        _cluster = await RedisCluster.StartAsync();
        var settings = Limits.Lifted(1000, new()
        {
            ["ConnectionStrings:Redis"] = _cluster.ConnectionString,
            ["Fanout:ShardedPubSub"] = "true",
        });
        _a = await ChatNode.StartAsync(settings);
        _b = await ChatNode.StartAsync(settings);
        _redis = await ConnectionMultiplexer.ConnectAsync(_cluster.ConnectionString + ",allowAdmin=true");
        var configuration = await _redis.GetServer(_redis.GetEndPoints()[0]).ClusterNodesAsync()
            ?? throw new InvalidOperationException("no cluster configuration");
        _masters = [.. configuration.Nodes.Where(n => !n.IsReplica)];
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        // Null checks: a failed set-up leaves some unset.
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Test]
    public async Task Each_room_is_subscribed_on_the_master_owning_its_slot_and_on_no_other()
    {
        var rooms = RoomsOnEveryMaster("subs");
        var clients = new List<ChatClient>();
        try
        {
            foreach (var (room, owner) in rooms)
            {
                clients.Add(await _a.ConnectAsync(TestTokens.For("51", "alice"), path: $"/ws/chat/{room}"));
                clients.Add(await _b.ConnectAsync(TestTokens.For("52", "bob"), path: $"/ws/chat/{room}"));
                foreach (var master in _masters)
                {
                    var expected = master == owner ? 2 : 0;
                    await Eventually.ThatAsync(() => ShardSubscribersAsync(master, room), Is.EqualTo(expected),
                        $"{room}: shard subscribers on {master.EndPoint} (owner {owner.EndPoint})");
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_burst_posted_on_one_node_reaches_the_room_on_the_other_in_seq_order_on_every_shard_and_no_other_room()
    {
        const int burst = 30;
        foreach (var (room, owner) in RoomsOnEveryMaster("burst"))
        {
            var elsewhere = Rooms.Unique("elsewhere");
            await using var alice = await _a.ConnectAsync(TestTokens.For("61", "alice"), path: $"/ws/chat/{room}");
            await using var bob = await _b.ConnectAsync(TestTokens.For("62", "bob"), path: $"/ws/chat/{room}");
            await using var carol = await _b.ConnectAsync(TestTokens.For("63", "carol"), path: $"/ws/chat/{elsewhere}");
            await Eventually.ThatAsync(() => ShardSubscribersAsync(owner, room), Is.EqualTo(2), "shard subscribers: both nodes subscribed before posting");

            for (var i = 0; i < burst; i++)
            {
                await alice.SendAsync(new { type = "send", message = $"m{i}" });
            }

            var frames = await bob.ReceiveUntilAsync(f => f.IsMessage(room, burst));
            Assert.That(frames.SeqsOf(room), Is.EqualTo(Enumerable.Range(1, burst).Select(i => (long)i)), $"room on {owner.EndPoint}");
            await carol.ExpectNothingPendingAsync();
        }
    }

    [Test]
    public async Task Presence_joins_reach_the_other_node_for_rooms_on_every_shard_over_classic_pub_sub()
    {
        foreach (var (room, owner) in RoomsOnEveryMaster("presence"))
        {
            await using var watcher = await _a.ConnectAsync(TestTokens.For("71", "watcher"), path: $"/ws/chat/{room}");
            await watcher.SendAsync(new { type = "presence", room, subscribe = true });
            await watcher.ReceiveTypeAsync("presence");

            await using var bob = await _b.ConnectAsync(TestTokens.For("72", "bob"), path: $"/ws/chat/{room}");

            var joined = await watcher.ReceiveTypeAsync("presence");
            Assert.That((joined.GetProperty("event").GetString(), joined.GetProperty("user").GetString()), Is.EqualTo(("join", "bob")),
                $"room on {owner.EndPoint}: the enter script ran on its shard and its PUBLISH crossed the cluster");
        }
    }

    /// <summary>One fresh room per master, each with the master owning its channel's slot; fails unless all masters are covered.</summary>
    private List<(string Room, ClusterNode Owner)> RoomsOnEveryMaster(string prefix)
    {
        Assert.That(_masters, Has.Count.EqualTo(3), "three masters");
        var chosen = new Dictionary<ClusterNode, string>();
        for (var attempt = 0; attempt < 1000 && chosen.Count < _masters.Count; attempt++)
        {
            var room = Rooms.Unique(prefix);
            var slot = _redis.HashSlot(ChannelPrefix + room);
            var owner = _masters.Single(m => m.Slots.Any(range => slot >= range.From && slot <= range.To));
            chosen.TryAdd(owner, room);
        }

        Assert.That(chosen.Keys, Is.EquivalentTo(_masters), "the rooms' slots cover every master's slot ranges");
        return [.. chosen.Select(c => (c.Value, c.Key))];
    }

    /// <summary>PUBSUB SHARDNUMSUB on one master: the shard subscribers of a room's channel there.</summary>
    private async Task<long> ShardSubscribersAsync(ClusterNode master, string room)
    {
        var reply = (RedisResult[])(await _redis.GetServer(master.EndPoint!).ExecuteAsync("PUBSUB", "SHARDNUMSUB", ChannelPrefix + room))!;
        return (long)reply[1];
    }
}
