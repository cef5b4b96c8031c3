using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// When the connection to PostgreSQL is lost while a COMMIT is under way, nobody knows whether it
/// committed. The node finds out before it answers: a committed post is acked (and delivered,
/// once), a rolled-back one is refused <c>unavailable</c>, so a retry never stores it twice, and a
/// post without a clientMsgId is never stored twice either. A proxy between the node and a real
/// PostgreSQL cuts the connection around one COMMIT.
/// </summary>
public sealed class LostCommitTests
{
    private PostgresProxy _proxy = null!;
    private string _database = null!;
    private ChatNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = await TestServers.Postgres.CreateDatabaseAsync();
        _proxy = new PostgresProxy(TestServers.Postgres.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(_database) { Port = _proxy.Port }.ConnectionString;
        _node = await ChatNode.StartAsync(postgres: viaProxy);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Test]
    public async Task A_post_whose_COMMIT_reached_PostgreSQL_before_the_connection_was_lost_is_acked_delivered_and_stored_once()
    {
        var room = Rooms.Unique("lostcommit");
        await using var poster = await _node.ConnectAsync(TestTokens.For("1401", "poster"), path: $"/ws/chat/{room}");
        await using var reader = await _node.ConnectAsync(TestTokens.For("1402", "reader"), path: $"/ws/chat/{room}");
        var cut = _proxy.Arm(CommitFault.CutAfterCommit);

        await poster.SendAsync(new { type = "send", message = "did it commit?", clientMsgId = "c-1" });

        await cut.WaitAsync(TimeSpan.FromSeconds(30));
        var answer = await poster.ReceiveAsync(TimeSpan.FromSeconds(60));
        Assert.That(answer.GetProperty("type").GetString(), Is.EqualTo("ack"), answer.ToString());
        Assert.That(answer.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That((await reader.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(1));

        var retry = await poster.PostAndAckAsync(room, "did it commit?", "c-1");
        Assert.That(retry.GetProperty("duplicate").GetBoolean(), Is.True, "the retry finds the committed row");
        Assert.That(await CountAsync(room), Is.EqualTo(1));
        await reader.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task A_post_whose_COMMIT_never_reached_PostgreSQL_is_refused_unavailable_never_delivered_and_its_retry_stored_once()
    {
        var room = Rooms.Unique("lostcommit");
        await using var poster = await _node.ConnectAsync(TestTokens.For("1403", "poster"), path: $"/ws/chat/{room}");
        await using var reader = await _node.ConnectAsync(TestTokens.For("1404", "reader"), path: $"/ws/chat/{room}");
        var dropped = _proxy.Arm(CommitFault.DropCommit);

        await poster.SendAsync(new { type = "send", message = "lost", clientMsgId = "c-1" });

        await dropped.WaitAsync(TimeSpan.FromSeconds(30));
        var answer = await poster.ReceiveAsync(TimeSpan.FromSeconds(60));
        Assert.That(answer.GetProperty("type").GetString(), Is.EqualTo("error"), answer.ToString());
        Assert.That(answer.GetProperty("code").GetString(), Is.EqualTo("unavailable"));
        Assert.That(await CountAsync(room), Is.Zero, "unavailable is true: not stored");
        await reader.ExpectNothingPendingAsync();

        var retry = await poster.PostAndAckAsync(room, "lost", "c-1");
        Assert.That(retry.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(retry.GetProperty("seq").GetInt64(), Is.EqualTo(1), "the rolled-back post left no gap");
        Assert.That(await CountAsync(room), Is.EqualTo(1));
    }

    [Test]
    public async Task A_post_without_a_client_msg_id_whose_COMMIT_reached_PostgreSQL_reaches_the_room_exactly_once()
    {
        var room = Rooms.Unique("lostcommit");
        await using var poster = await _node.ConnectAsync(TestTokens.For("1405", "tutorial"), path: $"/ws/chat/{room}");
        await using var reader = await _node.ConnectAsync(TestTokens.For("1406", "reader"), path: $"/ws/chat/{room}");
        var cut = _proxy.Arm(CommitFault.CutAfterCommit);

        await poster.SendTextAsync("""{"message": "tutorial client"}""");

        await cut.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That((await poster.ReceiveTypeAsync("message", TimeSpan.FromSeconds(60))).GetProperty("message").GetString(),
            Is.EqualTo("tutorial client"), "the sender sees its own message: it was stored");
        Assert.That((await reader.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(1));
        await reader.ExpectNothingPendingAsync();
        Assert.That(await CountAsync(room), Is.EqualTo(1));
    }

    private async Task<long> CountAsync(string room)
    {
        await using var db = new NpgsqlConnection(_database);
        return await db.ExecuteScalarAsync<long>("SELECT count(*) FROM messages WHERE room = @room", new { room });
    }
}
