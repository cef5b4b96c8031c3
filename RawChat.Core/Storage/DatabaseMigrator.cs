using DbUp;
using DbUp.Postgresql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// Applies the SQL scripts under <c>Storage/Migrations</c> with DbUp, each once. A PostgreSQL
/// advisory lock held for the whole run makes nodes that start together take turns: the second
/// finds the journal up to date.
/// </summary>
public sealed partial class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
    private const long AdvisoryLockKey = 0x5241_5743_4841_5401; // "RAWCHAT" + 1

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", AdvisoryLockKey);
            await take.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(new PostgresqlConnectionManager(dataSource))
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly,
                    name => name.Contains(".Storage.Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException(
                    $"Database migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }

            LogMigrated(logger, result.Scripts.Count());
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Database schema is current ({Applied} scripts applied now)")]
    private static partial void LogMigrated(ILogger logger, int applied);
}
