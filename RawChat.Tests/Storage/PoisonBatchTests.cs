using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;
using RawChat.Core.Storage;

namespace RawChat.Tests.Storage;

/// <summary>
/// The writer on its own, against a real PostgreSQL: when PostgreSQL (or Npgsql) refuses a batch
/// for one post's data, the other posts of that batch are stored and answered, and only the
/// culprit is refused, as invalid rather than unavailable.
/// </summary>
public sealed class PoisonBatchTests
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

    [TestCase("content", TestName = "{m}(U+0000 in the text)")]
    [TestCase("clientMsgId", TestName = "{m}(U+0000 in the clientMsgId)")]
    [TestCase("username", TestName = "{m}(U+0000 in the display name)")]
    public async Task A_batch_holding_one_unstorable_post_stores_the_others_and_refuses_only_it(string field)
    {
        await using var writer = new GroupCommitWriter(_dataSource,
            Options.Create(new StorageOptions { Writers = 1, QueueTimeoutMilliseconds = 60_000 }), NullLogger<GroupCommitWriter>.Instance);
        var room = $"poison-{Guid.NewGuid():N}";
        var blocker = $"block-{Guid.NewGuid():N}";

        // Hold the writer's first batch on a row lock, so everything submitted meanwhile forms the next batch.
        (await writer.AppendAsync(new NewMessage(blocker, "0", "block", "make the row", null))).ToString();
        await using var holder = await _dataSource.OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT 1 FROM rooms WHERE room = @blocker FOR UPDATE", new { blocker }, hold);
        var held = writer.AppendAsync(new NewMessage(blocker, "0", "block", "held", null));
        Assert.That(await WaitsOnALockAsync(), Is.True, "the first batch is waiting on the row lock");

        // PostgreSQL refuses U+0000 in text (22021); the parser keeps it out, the writer must survive it anyway.
        var posts = Enumerable.Range(0, 20).Select(i => new NewMessage(room, $"{i % 4}", $"user{i % 4}", $"fine {i}", $"c{i}"))
            .ToList();
        posts[7] = field switch
        {
            "content" => posts[7] with { Content = "nul \0 inside" },
            "clientMsgId" => posts[7] with { ClientMsgId = "c\07" },
            _ => posts[7] with { Username = "us\0er" },
        };
        var answers = posts.Select(writer.AppendAsync).ToList();
        await hold.CommitAsync();
        await held;

        for (var i = 0; i < posts.Count; i++)
        {
            if (i == 7)
            {
                var refusal = Assert.ThrowsAsync<AppendRefusedException>(() => answers[i]);
                Assert.That(refusal!.Refusal, Is.EqualTo(AppendRefusal.Invalid), "a retry would be refused again: not unavailable");
                continue;
            }

            var result = await answers[i];
            Assert.That(result.Duplicate, Is.False);
            Assert.That(result.Message.Content, Is.EqualTo($"fine {i}"));
        }

        await using var db = await _dataSource.OpenConnectionAsync();
        var seqs = (await db.QueryAsync<long>("SELECT seq FROM messages WHERE room = @room ORDER BY seq", new { room })).ToList();
        Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, 19).Select(s => (long)s)), "the room stays gapless");
    }

    private async Task<bool> WaitsOnALockAsync()
    {
        await using var db = await _dataSource.OpenConnectionAsync();
        return await Support.Eventually.HoldsAsync(async () =>
            await db.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0);
    }
}
