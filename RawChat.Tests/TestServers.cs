using NUnit.Framework;
using RawChat.Tests.Infrastructure;

namespace RawChat.Tests;

/// <summary>
/// Starts one PostgreSQL and one Redis for the whole test run (this fixture sits in the root
/// namespace, so it wraps every test). Tests isolate themselves with their own database
/// (<see cref="PostgresServer.CreateDatabaseAsync"/>) and unique channel and key names.
/// </summary>
[SetUpFixture]
public sealed class TestServers
{
    private static PostgresServer? _postgres;
    private static RedisServer? _redis;

    public static PostgresServer Postgres =>
        _postgres ?? throw new InvalidOperationException("PostgreSQL is not running: TestServers.OneTimeSetUp has not run or failed.");

    public static RedisServer Redis =>
        _redis ?? throw new InvalidOperationException("Redis is not running: TestServers.OneTimeSetUp has not run or failed.");

    [OneTimeSetUp]
    public async Task StartServersAsync()
    {
        var startingPostgres = PostgresServer.StartAsync();
        var startingRedis = RedisServer.StartAsync();
        try
        {
            await Task.WhenAll(startingPostgres, startingRedis);
        }
        catch
        {
            // Do not leave the one that did start running when the other failed.
            if (startingPostgres.IsCompletedSuccessfully)
            {
                await (await startingPostgres).DisposeAsync();
            }

            if (startingRedis.IsCompletedSuccessfully)
            {
                await (await startingRedis).DisposeAsync();
            }

            throw;
        }

        _postgres = await startingPostgres;
        _redis = await startingRedis;
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
            _postgres = null;
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
            _redis = null;
        }
    }
}
