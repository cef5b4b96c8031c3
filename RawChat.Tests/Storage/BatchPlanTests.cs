using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.Storage;

/// <summary>
/// A batch's plan must follow the messages table as it grows: the clientMsgId check an index
/// probe per post, the CTEs joined by hash. Ingest halved within a 10 s benchmark while a plan
/// cached on a small table hashed the whole table for every batch.
/// </summary>
public sealed class BatchPlanTests
{
    [Test]
    public async Task A_batch_probes_the_client_msg_id_index_after_the_table_grew_past_its_statistics()
    {
        await using var node = await ChatNode.StartAsync(postgres: await TestServers.Postgres.CreateDatabaseAsync());
        await using var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();

        // Statistics of a tiny table, and a statement run often enough to have a cached plan.
        await InsertRowsAsync(connection, 20);
        await connection.ExecuteAsync("ANALYZE messages");
        var sql = BatchInsert.Sql.Replace("@rooms", "$1").Replace("@user_ids", "$2").Replace("@usernames", "$3")
            .Replace("@contents", "$4").Replace("@client_msg_ids", "$5");
        await connection.ExecuteAsync($"PREPARE batch(text[], text[], text[], text[], text[]) AS {sql}");
        for (var i = 0; i < 6; i++)
        {
            await connection.QueryAsync<string>("EXPLAIN EXECUTE batch('{r}', '{u}', '{n}', '{x}', '{c}')");
        }

        // The table grows by 300,000 rows before anything analyzes it again: big enough that
        // probing the index for 200 posts is far cheaper than reading the whole table.
        await InsertRowsAsync(connection, 300_000);
        var posts = Enumerable.Range(0, 200).ToArray();
        // EXPLAIN takes no bind parameters: the 200 posts go in as array literals.
        static string Array(IEnumerable<string> values) => "'{" + string.Join(",", values) + "}'";
        var plan = string.Join("\n", await connection.QueryAsync<string>(
            "EXPLAIN (COSTS OFF) EXECUTE batch(" + string.Join(", ",
                Array(posts.Select(i => $"room-{i % 150}")), Array(posts.Select(i => $"user-{i}")),
                Array(posts.Select(_ => "name")), Array(posts.Select(_ => "hello")), Array(posts.Select(i => $"new-{i}"))) + ")"));

        Assert.That(plan, Does.Contain("Index Only Scan using messages_client_msg_id on messages"), plan);
        Assert.That(plan, Does.Not.Contain("Seq Scan on messages"), plan);
        Assert.That(plan, Does.Not.Contain("hashed SubPlan"), plan);
        Assert.That(plan, Does.Not.Contain("Join Filter"), "CTEs joined row by row: " + plan);
    }

    private static Task InsertRowsAsync(NpgsqlConnection connection, int count) =>
        connection.ExecuteAsync("""
            INSERT INTO messages (room, seq, user_id, username, content, client_msg_id, created_at)
            SELECT 'old-' || (g % 500), (SELECT count(*) FROM messages) + g, 'user-' || (g % 1000), 'name', 'hello',
                   'old-' || (SELECT count(*) FROM messages) + g, now()
            FROM generate_series(1, @Count) g
            """, new { Count = count });
}
