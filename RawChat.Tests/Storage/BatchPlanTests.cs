using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.Storage;

/// <summary>
/// The clientMsgId check of a batch must stay an index probe per post as the messages table
/// grows. A plan that hashes or scans the whole table makes every batch slower than the last
/// (ingest halved within a 10 s benchmark before this was fixed).
/// </summary>
public sealed class BatchPlanTests
{
    [Test]
    public async Task A_plan_made_while_the_table_was_empty_still_probes_the_client_msg_id_index()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestServers.Postgres.CreateDatabaseAsync());
        await new DatabaseMigrator(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);
        await using var connection = await dataSource.OpenConnectionAsync();

        // A generic plan is what a cached prepared statement keeps using, whatever its parameters.
        await connection.ExecuteAsync("SET plan_cache_mode = force_generic_plan");
        var sql = BatchInsert.Sql.Replace("@rooms", "$1").Replace("@user_ids", "$2").Replace("@usernames", "$3")
            .Replace("@contents", "$4").Replace("@client_msg_ids", "$5");
        await connection.ExecuteAsync($"PREPARE batch(text[], text[], text[], text[], text[]) AS {sql}");
        var plan = string.Join("\n", await connection.QueryAsync<string>(
            "EXPLAIN (COSTS OFF) EXECUTE batch('{r}', '{u}', '{n}', '{hello}', '{c1}')"));

        Assert.That(plan, Does.Contain("Index Only Scan using messages_client_msg_id on messages"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on messages"));
        Assert.That(plan, Does.Not.Contain("hashed SubPlan"));
    }

    [Test]
    public async Task A_node_plans_each_statement_with_its_parameters_and_the_tables_current_size()
    {
        await using var node = await ChatNode.StartAsync();
        await using var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();

        Assert.That(await connection.ExecuteScalarAsync<string>("SHOW plan_cache_mode"), Is.EqualTo("force_custom_plan"));
    }
}
