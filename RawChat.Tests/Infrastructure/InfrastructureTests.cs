using Npgsql;
using NUnit.Framework;
using StackExchange.Redis;

namespace RawChat.Tests.Infrastructure;

public sealed class InfrastructureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Postgres_fixture_answers_a_query()
    {
        await using var connection = new NpgsqlConnection(TestServers.Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);

        var result = await command.ExecuteScalarAsync();

        Assert.That(result, Is.EqualTo(1));
    }

    [Test]
    public async Task Postgres_fixture_gives_each_caller_a_fresh_empty_database()
    {
        var first = await TestServers.Postgres.CreateDatabaseAsync();
        var second = await TestServers.Postgres.CreateDatabaseAsync();

        await ExecuteAsync(first, "CREATE TABLE marker (id int PRIMARY KEY); INSERT INTO marker VALUES (1)");

        Assert.Multiple(async () =>
        {
            Assert.That(new NpgsqlConnectionStringBuilder(first).Database, Is.Not.EqualTo(new NpgsqlConnectionStringBuilder(second).Database));
            Assert.That(await ExecuteAsync(first, "SELECT count(*) FROM marker"), Is.EqualTo(1L));
            Assert.That(await ExecuteAsync(second, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), Is.EqualTo(0L));
        });
    }

    [Test]
    public async Task Redis_fixture_answers_ping()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);

        var roundTrip = await redis.GetDatabase().PingAsync();

        Assert.That(roundTrip, Is.LessThan(Patience));
    }

    [Test]
    public async Task Redis_fixture_delivers_a_published_message_to_a_subscriber()
    {
        await using var subscriber = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);
        var channel = RedisChannel.Literal($"test:{Guid.NewGuid():N}");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await subscriber.GetSubscriber().SubscribeAsync(channel, (_, message) => received.TrySetResult(message.ToString()));

        var receivers = await publisher.GetSubscriber().PublishAsync(channel, "hello");

        Assert.That(receivers, Is.EqualTo(1));
        Assert.That(await received.Task.WaitAsync(Patience), Is.EqualTo("hello"));
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
