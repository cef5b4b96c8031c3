using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// Stores one post in its own statement: the writer's fallback when a batch failed for one
/// post's data or met a concurrent duplicate on another node. The room row is bumped only when
/// the clientMsgId is new; a concurrent duplicate fails on the unique index instead, which rolls
/// the bump back with it (no gap).
/// </summary>
internal static class SingleInsert
{
    private const string Sql = """
        WITH bumped AS (
            INSERT INTO rooms (room, last_seq)
            SELECT @room, 1
            WHERE @client_msg_id::text IS NULL OR NOT EXISTS (
                SELECT 1 FROM messages
                WHERE room = @room AND user_id = @user_id AND client_msg_id = @client_msg_id)
            ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq + 1
            RETURNING last_seq)
        INSERT INTO messages (room, seq, user_id, username, content, client_msg_id, created_at)
        SELECT @room, last_seq, @user_id, @username, @content, @client_msg_id, clock_timestamp()
        FROM bumped
        RETURNING
        """ + " " + StoredMessageRow.Columns + ", pg_current_xact_id()";

    /// <returns>The stored row and the transaction's id; both null when the clientMsgId was stored already.</returns>
    public static async Task<(StoredMessage? Row, ulong? TransactionId)> ExecuteAsync(NpgsqlConnection connection,
        NewMessage message, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("room", message.Room);
        command.Parameters.AddWithValue("user_id", message.UserId);
        command.Parameters.AddWithValue("username", message.Username);
        command.Parameters.AddWithValue("content", message.Content);
        command.Parameters.AddWithValue("client_msg_id", NpgsqlTypes.NpgsqlDbType.Text, (object?)message.ClientMsgId ?? DBNull.Value);

        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? (StoredMessageRow.Read(reader), reader.GetFieldValue<ulong>(8))
            : (null, null);
    }

    /// <summary>The row an earlier post with this clientMsgId stored.</summary>
    public static async Task<StoredMessage> FindDuplicateAsync(NpgsqlConnection connection, NewMessage message, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT " + StoredMessageRow.Columns + " FROM messages WHERE room = @room AND user_id = @user_id AND client_msg_id = @client_msg_id",
            connection);
        command.Parameters.AddWithValue("room", message.Room);
        command.Parameters.AddWithValue("user_id", message.UserId);
        command.Parameters.AddWithValue("client_msg_id", message.ClientMsgId!);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            throw new InvalidOperationException("the duplicate's first row is gone");
        }

        return StoredMessageRow.Read(reader);
    }
}
