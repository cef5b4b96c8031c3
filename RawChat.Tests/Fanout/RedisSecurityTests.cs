using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.Fanout;

/// <summary>
/// A locked-down Redis, set up from the connection string (plus <c>Redis:TrustedCaFile</c> for a
/// private CA): a password, a least-privilege ACL user with the default user off, and TLS. Two
/// nodes serve one room through it; a node whose credentials or trust are wrong still serves its
/// own sockets and says so in <c>/readyz</c>.
/// </summary>
public sealed class RedisSecurityTests
{
    /// <summary>
    /// What a RawChat node needs on Redis and nothing more (docs/configuration.md, "A locked-down Redis"): its
    /// channels, presence, quota and ticket keys, and what StackExchange.Redis asks at connect (its
    /// tie-breaker key and configuration channel, CLIENT ID, CLUSTER NODES). Not CONFIG GET, which
    /// would show the server's configuration: the connection string's <c>$CONFIG=</c> stops the client asking.
    /// </summary>
    private const string RawChatAcl = "on resetchannels &rawchat:room:* &rawchat:presence-events:* &rawchat:rooms:* &__Booksleeve_MasterChanged"
        + " resetkeys ~rawchat:presence:* ~rawchat:quota:* ~rawchat:ticket:* ~rawchat:rooms:* %R~__Booksleeve_TieBreak -@all +ping +info +echo +get"
        + " +client|setname +client|id +cluster|nodes +subscribe +unsubscribe +ssubscribe +sunsubscribe +publish +spublish +eval"
        + " +evalsha +script|load +zadd +zrem +zscore +zrange +zrangebyscore +zremrangebyscore +zcard +expire +pexpire +hincrby"
        + " +time +set +getdel +pttl";

    private static readonly string Password = NewPassword();
    private static readonly string AdminPassword = NewPassword();

    private static readonly RedisServerSecurity AclUsers = new()
    {
        AclUsers = [$"user rawchat {RawChatAcl} >{Password}", $"user admin on >{AdminPassword} ~* &* +@all"],
    };

    private RedisServer _withPassword = null!;
    private RedisServer _withAcl = null!;
    private RedisServer _withTls = null!;

    [OneTimeSetUp]
    public async Task StartServersAsync()
    {
        _withPassword = await RedisServer.StartAsync(new RedisServerSecurity { Password = Password });
        _withAcl = await RedisServer.StartAsync(AclUsers);
        _withTls = await RedisServer.StartAsync(AclUsers with { Tls = true });
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        foreach (var server in new[] { _withPassword, _withAcl, _withTls })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Two_nodes_on_a_Redis_with_a_password_share_messages_and_presence()
    {
        await AssertTwoNodesShareARoomAsync(new() { ["ConnectionStrings:Redis"] = $"{_withPassword.ConnectionString},password={Password}" });
    }

    [Test]
    public async Task Two_nodes_on_a_Redis_with_only_a_least_privilege_ACL_user_share_messages_and_presence_and_are_never_denied()
    {
        await AssertTwoNodesShareARoomAsync(new() { ["ConnectionStrings:Redis"] = $"{_withAcl.ConnectionString},user=rawchat,password={Password},$CONFIG=" });

        Assert.That(await DeniedAsync(_withAcl), Is.Empty, "commands, keys or channels the ACL refused a node");
    }

    [Test]
    public async Task Two_nodes_on_Redis_over_TLS_with_a_private_CA_share_messages_and_presence()
    {
        await AssertTwoNodesShareARoomAsync(new()
        {
            ["ConnectionStrings:Redis"] = $"{_withTls.ConnectionString},user=rawchat,password={Password},$CONFIG=",
            ["Redis:TrustedCaFile"] = _withTls.CaFile,
        });

        Assert.That(await DeniedAsync(_withTls), Is.Empty, "commands, keys or channels the ACL refused a node");
    }

    [Test]
    public async Task A_node_with_a_wrong_password_starts_serves_its_own_sockets_and_reports_redis_not_ready()
    {
        await AssertServesAloneAsync(new() { ["ConnectionStrings:Redis"] = $"{_withPassword.ConnectionString},password=wrong-{Password}" });
    }

    [TestCase(true, TestName = "A_node_trusting_another_CA_does_not_talk_to_Redis_over_TLS_and_still_serves_its_own_sockets")]
    [TestCase(false, TestName = "A_node_trusting_only_the_machine_store_does_not_talk_to_Redis_with_a_private_certificate")]
    public async Task A_node_that_does_not_trust_the_Redis_certificate_does_not_talk_to_it(bool anotherCa)
    {
        var elsewhere = Directory.CreateTempSubdirectory("rawchat-test-other-ca-");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = $"{_withTls.ConnectionString},user=rawchat,password={Password}",
                ["Redis:TrustedCaFile"] = anotherCa ? TestCertificates.Create(elsewhere.FullName).CaFile : null,
            };
            await AssertServesAloneAsync(settings);
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }

    /// <summary>A message posted on one node reaches a client on the other; presence events and lists cross too.</summary>
    private static async Task AssertTwoNodesShareARoomAsync(Dictionary<string, string?> settings)
    {
        await using var a = await ChatNode.StartAsync(settings);
        await using var b = await ChatNode.StartAsync(settings);
        var room = Rooms.Unique("locked");
        await using var bob = await b.ConnectAsync(TestTokens.For("812", "bob"), path: $"/ws/chat/{room}");
        await bob.SendAsync(new { type = "presence", room, subscribe = true });
        Assert.That(Users(await bob.ReceiveTypeAsync("presence")), Is.EqualTo(new[] { "bob" }));

        // alice connects with a ticket made on the other node: tickets live in Redis too.
        var ticket = await EndToEnd.TicketTests.TicketAsync(b, TestTokens.For("811", "alice"));
        await using var alice = await ChatClient.ConnectAsync(a.Chat($"/ws/chat/{room}?ticket={ticket}"));
        var join = await bob.ReceiveTypeAsync("presence");
        Assert.That((join.GetProperty("event").GetString(), join.GetProperty("user").GetString()), Is.EqualTo(("join", "alice")),
            "alice's join on node A reached bob on node B");
        await alice.SendAsync(new { type = "presence", room });
        Assert.That(Users(await alice.ReceiveTypeAsync("presence")), Is.EqualTo(new[] { "alice", "bob" }), "both nodes' users, read from Redis");
        await alice.PostAndAckAsync(room, "across a locked-down Redis", "c-locked");

        var message = await bob.ReceiveTypeAsync("message");
        Assert.That(message.GetProperty("message").GetString(), Is.EqualTo("across a locked-down Redis"));
        Assert.That(message.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        using var http = a.Http();
        Assert.That((await http.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>Redis refuses this node (or it refuses Redis): a post still reaches a client on the same node, and /readyz names redis.</summary>
    private static async Task AssertServesAloneAsync(Dictionary<string, string?> settings)
    {
        await using var node = await ChatNode.StartAsync(settings);
        var room = Rooms.Unique("alone");
        await using var alice = await node.ConnectAsync(TestTokens.For("821", "alice"), path: $"/ws/chat/{room}");
        await using var bob = await node.ConnectAsync(TestTokens.For("822", "bob"), path: $"/ws/chat/{room}");

        await alice.PostAndAckAsync(room, "Redis or not", "c-alone");

        Assert.That((await bob.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo("Redis or not"));
        using var http = node.Http();
        using var ready = await http.GetAsync("/readyz");
        var body = await ready.Content.ReadAsStringAsync();
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain("redis").And.Not.Contain("postgres"));
    }

    /// <summary>The server's ACL log: every command, key or channel it refused, as "reason object by user".</summary>
    private static async Task<List<string>> DeniedAsync(RedisServer server)
    {
        var options = ConfigurationOptions.Parse($"{server.ConnectionString},user=admin,password={AdminPassword}");
        if (server.ConnectionString.Contains("ssl=true", StringComparison.Ordinal))
        {
            options.TrustIssuer(server.CaFile);
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        var log = (RedisResult[])(await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("ACL", "LOG"))!;
        return [.. log.Select(entry =>
        {
            var fields = ((RedisResult[])entry!).Chunk(2).ToDictionary(pair => (string)pair[0]!, pair => pair[1].ToString());
            return $"{fields["reason"]} {fields["object"]} by {fields["username"]}";
        })];
    }

    private static string[] Users(JsonElement list) =>
        [.. list.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user").GetString()!)];

    private static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
