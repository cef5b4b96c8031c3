using Dapper;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// PostgreSQL is the truth: every message is committed here before anyone hears of it.
/// One statement bumps the room's <c>last_seq</c> and inserts the row, so seqs are gapless.
/// </summary>
public sealed class MessageStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id, room, seq, user_id AS UserId, username, content, client_msg_id AS ClientMsgId, created_at AS CreatedAt";

    // The room row is only bumped when the clientMsgId is new; a concurrent duplicate fails
    // on the unique index instead, which rolls the bump back with it (no gap).
    private const string AppendSql = """
        WITH bumped AS (
            INSERT INTO rooms (room, last_seq)
            SELECT @Room, 1
            WHERE @ClientMsgId IS NULL OR NOT EXISTS (
                SELECT 1 FROM messages
                WHERE room = @Room AND user_id = @UserId AND client_msg_id = @ClientMsgId)
            ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq + 1
            RETURNING last_seq)
        INSERT INTO messages (room, seq, user_id, username, content, client_msg_id, created_at)
        SELECT @Room, last_seq, @UserId, @Username, @Content, @ClientMsgId, clock_timestamp()
        FROM bumped
        RETURNING
        """ + " " + Columns;

    private const string FindByClientMsgIdSql =
        "SELECT " + Columns + " FROM messages WHERE room = @Room AND user_id = @UserId AND client_msg_id = @ClientMsgId";

    private const string AfterSql =
        "SELECT " + Columns + " FROM messages WHERE room = @Room AND seq > @Since ORDER BY seq LIMIT @Limit";

    private const string NewestSql =
        "SELECT " + Columns + " FROM messages WHERE room = @Room ORDER BY seq DESC LIMIT @Limit";

    private const string BeforeSql =
        "SELECT " + Columns + " FROM messages WHERE room = @Room AND seq < @Before ORDER BY seq DESC LIMIT @Limit";

    private const string LastSeqSql = "SELECT last_seq FROM rooms WHERE room = @Room";

    /// <summary>Stores one message in its own statement (the group-commit writer's fallback).</summary>
    public async Task<AppendResult> AppendOneAsync(NewMessage message, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var stored = await connection.QuerySingleOrDefaultAsync<StoredMessage>(
                new CommandDefinition(AppendSql, message, cancellationToken: ct)).ConfigureAwait(false);
            if (stored is not null)
            {
                return new AppendResult(stored, Duplicate: false);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation
            && e.ConstraintName == "messages_client_msg_id")
        {
            // A concurrent retry with the same clientMsgId won; fall through and return its row.
        }

        var first = await connection.QuerySingleAsync<StoredMessage>(
            new CommandDefinition(FindByClientMsgIdSql, message, cancellationToken: ct)).ConfigureAwait(false);
        return new AppendResult(first, Duplicate: true);
    }

    /// <summary>The row an earlier post with this clientMsgId stored.</summary>
    public async Task<StoredMessage> FindByClientMsgIdAsync(NewMessage message, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.QuerySingleAsync<StoredMessage>(
            new CommandDefinition(FindByClientMsgIdSql, message, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <summary>Messages with <c>seq &gt; since</c>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long since, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<StoredMessage>(
            new CommandDefinition(AfterSql, new { Room = room, Since = since, Limit = limit }, cancellationToken: ct))
            .ConfigureAwait(false);
        return rows.AsList();
    }

    /// <summary>
    /// One page back through a room: messages with <c>seq &lt; before</c> (or the newest when
    /// <paramref name="before"/> is null), oldest first.
    /// </summary>
    public async Task<HistoryPage> ReadPageAsync(string room, long? before, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var sql = before is null ? NewestSql : BeforeSql;
        var rows = (await connection.QueryAsync<StoredMessage>(
            new CommandDefinition(sql, new { Room = room, Before = before, Limit = limit + 1 }, cancellationToken: ct))
            .ConfigureAwait(false)).AsList();
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        rows.Reverse();
        return new HistoryPage(rows, hasMore);
    }

    /// <summary>The room's newest seq, 0 for a room that holds no message.</summary>
    public async Task<long> LastSeqAsync(string room, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(
            new CommandDefinition(LastSeqSql, new { Room = room }, cancellationToken: ct)).ConfigureAwait(false) ?? 0;
    }
}
