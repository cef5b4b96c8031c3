using System.Data;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Storage;

namespace RawChat.Core.Rooms;

/// <summary>
/// What the room stores share: a transaction within the command timeout (<see cref="Deadline"/>: it holds even when
/// PostgreSQL hangs), the audit row every moderation action writes, and the seq a change happened after.
/// </summary>
public sealed class RoomsDatabase(NpgsqlDataSource dataSource, IOptions<StorageOptions> options)
{
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.Value.CommandTimeoutMilliseconds);

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns.</summary>
    public Task<T> InTransactionAsync<T>(Func<IDbConnection, IDbTransaction, Task<T>> work) =>
        Deadline.RunAsync(RunAsync(work), _timeout);

    /// <summary>Runs one read outside a transaction.</summary>
    public Task<T> ReadAsync<T>(Func<IDbConnection, Task<T>> read) =>
        Deadline.RunAsync(ReadOnceAsync(read), _timeout);

    /// <summary>
    /// The room's last seq, with its row locked against new messages until the transaction ends: the change
    /// then sits exactly between message <c>seq</c> and <c>seq + 1</c> (docs/protocol.md §14.6).
    /// </summary>
    public static async Task<long> LastSeqLockedAsync(IDbConnection db, IDbTransaction tx, string room) =>
        await db.QuerySingleOrDefaultAsync<long?>("SELECT last_seq FROM rooms WHERE room = @room FOR SHARE", new { room }, tx)
            .ConfigureAwait(false) ?? 0;

    /// <summary>One audit row: who did what to whom, when and why (docs/protocol.md §14.5).</summary>
    public static Task AuditAsync(IDbConnection db, IDbTransaction tx, string room, string actor, string action, string? target,
        string? reason, string? detailsJson = null) =>
        db.ExecuteAsync("""
            INSERT INTO moderation_audit (room, actor, action, target, reason, details, at)
            VALUES (@room, @actor, @action, @target, @reason, @detailsJson::jsonb, now())
            """, new { room, actor, action, target, reason, detailsJson }, tx);

    private async Task<T> RunAsync<T>(Func<IDbConnection, IDbTransaction, Task<T>> work)
    {
        await using var db = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync().ConfigureAwait(false);
        var result = await work(db, tx).ConfigureAwait(false);
        await tx.CommitAsync().ConfigureAwait(false);
        return result;
    }

    private async Task<T> ReadOnceAsync<T>(Func<IDbConnection, Task<T>> read)
    {
        await using var db = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        return await read(db).ConfigureAwait(false);
    }
}
