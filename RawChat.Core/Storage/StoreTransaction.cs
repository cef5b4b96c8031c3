using Microsoft.Extensions.Logging;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// One write with an outcome the writer can state truthfully. The write runs in a transaction
/// and COMMIT is sent on its own, both within the command timeout. Until COMMIT is sent, a failure
/// or a deadline means "not stored": PostgreSQL aborts a transaction whose connection is gone, even
/// if it was hung meanwhile. If the connection is lost after COMMIT was sent, nobody knows; the
/// transaction's id, read with the write, is then looked up with <c>pg_xact_status</c> on a new
/// connection until PostgreSQL answers, so a post is never reported lost when it was stored.
/// </summary>
internal sealed partial class StoreTransaction(NpgsqlDataSource dataSource, TimeSpan commandTimeout, ILogger logger)
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    /// <param name="write">The statements; returns its result and the transaction id (null when it wrote nothing).</param>
    /// <returns>The write's result, committed.</returns>
    /// <exception cref="Exception">Anything the write threw, or a refused COMMIT: in every case nothing was committed.</exception>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<(T Result, ulong? TransactionId)>> write,
        CancellationToken stopping)
    {
        T result;
        ulong? transactionId;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            deadline.CancelAfter(commandTimeout);
            var connection = await dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(deadline.Token).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    (result, transactionId) = await write(connection, deadline.Token).ConfigureAwait(false);
                    try
                    {
                        deadline.CancelAfter(commandTimeout); // COMMIT gets a full timeout of its own
                        await transaction.CommitAsync(deadline.Token).ConfigureAwait(false);
                        return result;
                    }
                    catch (Exception e) when (e is not PostgresException && StorageFailures.IsUnavailable(e))
                    {
                        if (transactionId is null)
                        {
                            return result; // it wrote nothing: whatever became of the COMMIT, the result stands
                        }

                        LogCommitUnknown(logger, e, transactionId.Value);
                    }
                }
            }
        }

        if (await CommittedAsync(transactionId.Value, stopping).ConfigureAwait(false))
        {
            return result;
        }

        throw new TimeoutException("the transaction was not committed");
    }

    /// <summary>Asks PostgreSQL, as often as it takes, whether the transaction committed.</summary>
    private async Task<bool> CommittedAsync(ulong transactionId, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                deadline.CancelAfter(commandTimeout);
                var connection = await dataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await using var command = new NpgsqlCommand("SELECT pg_xact_status(@id::xid8)", connection);
                    command.Parameters.AddWithValue("id", transactionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var status = await command.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false) as string;
                    LogCommitResolved(logger, transactionId, status ?? "unknown");
                    switch (status)
                    {
                        case "committed":
                            return true;
                        case "aborted":
                        case null: // too old to be known: never within seconds of the write
                            return false;
                    }

                    // "in progress": the backend that holds it has not finished its COMMIT yet.
                }
            }
            catch (Exception e) when (StorageFailures.IsUnavailable(e) && !stopping.IsCancellationRequested)
            {
                // PostgreSQL is still away; ask again.
            }

            await Task.Delay(delay, stopping).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning,
        Message = "The connection was lost while transaction {TransactionId} committed; asking PostgreSQL whether it did")]
    private static partial void LogCommitUnknown(ILogger logger, Exception error, ulong transactionId);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Transaction {TransactionId} turned out {Status}")]
    private static partial void LogCommitResolved(ILogger logger, ulong transactionId, string status);
}
