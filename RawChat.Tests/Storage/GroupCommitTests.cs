using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;
using RawChat.Core.Storage;

namespace RawChat.Tests.Storage;

/// <summary>
/// Group commit against a real PostgreSQL: many concurrent posts, batched into few statements,
/// still get gapless per-room seqs in arrival order, and a clientMsgId is stored once however
/// its copies are spread over batches.
/// </summary>
public sealed class GroupCommitTests
{
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await TestServers.Postgres.CreateDatabaseAsync());
        await new DatabaseMigrator(_dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [TestCase(256, 2)]
    [TestCase(1, 1)]
    [TestCase(7, 3)]
    public async Task Concurrent_posts_get_gapless_seqs_per_room_and_each_client_msg_id_is_stored_once(int maxBatch, int writers)
    {
        await using var writer = new GroupCommitWriter(_dataSource,
            Options.Create(new StorageOptions { MaxBatchSize = maxBatch, Writers = writers, QueueTimeoutMilliseconds = 60_000 }), NullLogger<GroupCommitWriter>.Instance);
        var rooms = Enumerable.Range(0, 5).Select(i => $"gc-{Guid.NewGuid():N}").ToArray();

        // 600 posts: every third one repeats a clientMsgId already used (same room and user).
        var posts = Enumerable.Range(0, 600).Select(i =>
        {
            var origin = i % 3 == 2 ? i - 1 : i;
            return new NewMessage(rooms[origin % rooms.Length], $"u{origin % 7}", "name", $"text {origin}", $"c{origin}");
        }).ToList();
        var results = await Task.WhenAll(posts.Select(p => Task.Run(() => writer.AppendAsync(p))));

        var stored = results.Where(r => !r.Duplicate).Select(r => r.Message).ToList();
        foreach (var room in rooms)
        {
            var seqs = stored.Where(m => m.Room == room).Select(m => m.Seq).Order().ToList();
            Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, seqs.Count).Select(s => (long)s)), $"room {room} is gapless");
        }

        // Each duplicate answer carries the first post's row.
        var firstById = stored.ToDictionary(m => (m.Room, m.UserId, m.ClientMsgId));
        foreach (var duplicate in results.Where(r => r.Duplicate).Select(r => r.Message))
        {
            Assert.That(firstById[(duplicate.Room, duplicate.UserId, duplicate.ClientMsgId)].Id, Is.EqualTo(duplicate.Id));
        }

        await using var db = await _dataSource.OpenConnectionAsync();
        var rows = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM messages WHERE room = ANY(@rooms)", new { rooms });
        Assert.That(rows, Is.EqualTo(400), "600 posts, 200 of them repeats");
        Assert.That(results.Count(r => r.Duplicate), Is.EqualTo(200));
    }

    [Test]
    public async Task Posts_from_one_sender_keep_their_order_in_seq()
    {
        await using var writer = new GroupCommitWriter(_dataSource, Options.Create(new StorageOptions()),
            NullLogger<GroupCommitWriter>.Instance);
        var room = $"gc-{Guid.NewGuid():N}";
        for (var i = 1; i <= 20; i++)
        {
            var result = await writer.AppendAsync(new NewMessage(room, "1", "a", $"m{i}", null));
            Assert.That(result.Message.Seq, Is.EqualTo(i));
            Assert.That(result.Message.Content, Is.EqualTo($"m{i}"));
        }
    }
}
