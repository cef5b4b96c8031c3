using Microsoft.Extensions.Logging;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// One write with an outcome the writer can state truthfully. The write runs in a transaction
/// and COMMIT is sent on its own, each within the command timeout (a <see cref="Deadline"/>, which
/// holds even when PostgreSQL hangs). Until COMMIT is sent, a failure or a deadline means "not
/// stored": an abandoned write is never committed, and PostgreSQL aborts a transaction whose
/// connection is gone. If COMMIT was sent and its answer does not come, nobody knows; the
/// transaction's id, read with the write, is then looked up with <c>pg_xact_status</c> on a new
/// connection until PostgreSQL answers, so a post is never reported lost when it was stored.
/// </summary>
internal sealed partial class StoreTransaction(NpgsqlDataSource dataSource, TimeSpan commandTimeout, ILogger logger)
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    /// <param name="write">The statements; returns its result and the transaction id (null when it wrote nothing).</param>
    /// <returns>The write's result, committed.</returns>
    /// <exception cref="Exception">Anything the write threw, its deadline, or a refused COMMIT: in every case nothing was committed.</exception>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<(T Result, ulong? TransactionId)>> write,
        CancellationToken stopping)
    {
        var open = await Deadline.RunAsync(BeginAndWriteAsync(write, stopping), commandTimeout, static w => w.DisposeAsync())
            .ConfigureAwait(false);
        var committing = open.Transaction.CommitAsync(stopping);
        try
        {
            await Deadline.RunAsync(AsResultAsync(committing), commandTimeout, _ => open.DisposeAsync()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not PostgresException && StorageFailures.IsUnavailable(e))
        {
            if (e is not DeadlineExceededException)
            {
                await open.DisposeAsync().ConfigureAwait(false); // else disposed once the abandoned COMMIT ends
            }

            if (open.TransactionId is not { } transactionId)
            {
                return open.Result; // it wrote nothing: whatever became of the COMMIT, the result stands
            }

            LogCommitUnknown(logger, e, transactionId);
            return await CommittedAsync(transactionId, stopping).ConfigureAwait(false)
                ? open.Result
                : throw new TimeoutException("the transaction was not committed");
        }
        catch
        {
            await open.DisposeAsync().ConfigureAwait(false); // PostgreSQL refused the COMMIT: rolled back
            throw;
        }

        await open.DisposeAsync().ConfigureAwait(false);
        return open.Result;
    }

    private async Task<OpenWrite<T>> BeginAndWriteAsync<T>(
        Func<NpgsqlConnection, CancellationToken, Task<(T Result, ulong? TransactionId)>> write, CancellationToken stopping)
    {
        var connection = await dataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(stopping).ConfigureAwait(false);
            var (result, transactionId) = await write(connection, stopping).ConfigureAwait(false);
            return new OpenWrite<T>(connection, transaction, result, transactionId);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<bool> AsResultAsync(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    /// <summary>Asks PostgreSQL, as often as it takes, whether the transaction committed.</summary>
    private async Task<bool> CommittedAsync(ulong transactionId, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var status = await Deadline.RunAsync(StatusAsync(transactionId, stopping), commandTimeout).ConfigureAwait(false);
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
            catch (Exception e) when (StorageFailures.IsUnavailable(e) && !stopping.IsCancellationRequested)
            {
                // PostgreSQL is still away; ask again.
            }

            await Task.Delay(delay, stopping).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private async Task<string?> StatusAsync(ulong transactionId, CancellationToken stopping)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_xact_status(@id::xid8)");
        command.Parameters.AddWithValue("id", transactionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await command.ExecuteScalarAsync(stopping).ConfigureAwait(false) as string;
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning,
        Message = "The answer to transaction {TransactionId}'s COMMIT was lost; asking PostgreSQL whether it committed")]
    private static partial void LogCommitUnknown(ILogger logger, Exception error, ulong transactionId);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Transaction {TransactionId} turned out {Status}")]
    private static partial void LogCommitResolved(ILogger logger, ulong transactionId, string status);

    /// <summary>A connection with its transaction open and the write done, waiting for COMMIT.</summary>
    private sealed record OpenWrite<TResult>(NpgsqlConnection Connection, NpgsqlTransaction Transaction, TResult Result,
        ulong? TransactionId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
