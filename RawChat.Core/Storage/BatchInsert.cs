using Npgsql;
using NpgsqlTypes;

namespace RawChat.Core.Storage;

/// <summary>
/// Stores a batch of posts in ONE statement: each room's <c>last_seq</c> is bumped once by the
/// number of its new posts, and the posts take the seqs below it in arrival order. Rooms are
/// locked in name order, so concurrent batches (on this node or others) never deadlock.
/// The clientMsgId check is a plain NOT EXISTS (a NULL clientMsgId never matches), which
/// PostgreSQL plans as an anti join with good row estimates: an index probe per post once the
/// table is big, and hash joins between the CTEs. With <c>OR NOT EXISTS</c> a cached plan
/// hashed the whole table on every batch; a LATERAL probe made it estimate one row and join
/// the CTEs in quadratic nested loops. Statements get custom plans (see StorageExtensions).
/// The statement runs in a transaction that the writer commits on its own (see <see cref="StoreTransaction"/>).
/// </summary>
internal static class BatchInsert
{
    internal const string Sql = """
        WITH input AS (
            SELECT * FROM unnest(@rooms, @user_ids, @usernames, @contents, @client_msg_ids)
                WITH ORDINALITY AS t(room, user_id, username, content, client_msg_id, ord)),
        fresh AS (
            SELECT i.* FROM input i
            WHERE NOT EXISTS (
                SELECT 1 FROM messages m
                WHERE m.room = i.room AND m.user_id = i.user_id AND m.client_msg_id = i.client_msg_id
                  AND m.client_msg_id IS NOT NULL)),
        counts AS (SELECT room, count(*) AS n FROM fresh GROUP BY room),
        bumped AS (
            INSERT INTO rooms (room, last_seq)
            SELECT room, n FROM counts ORDER BY room
            ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq + EXCLUDED.last_seq
            RETURNING room, last_seq),
        numbered AS (
            SELECT f.room, f.user_id, f.username, f.content, f.client_msg_id,
                   b.last_seq - c.n + row_number() OVER (PARTITION BY f.room ORDER BY f.ord) AS seq
            FROM fresh f JOIN bumped b ON b.room = f.room JOIN counts c ON c.room = f.room)
        INSERT INTO messages (room, seq, user_id, username, content, client_msg_id, created_at)
        SELECT room, seq, user_id, username, content, client_msg_id, clock_timestamp()
        FROM numbered ORDER BY room, seq
        RETURNING id, room, seq, user_id, username, content, client_msg_id, created_at, pg_current_xact_id()
        """;

    /// <summary>
    /// Inserts <paramref name="batch"/> (no two entries with the same room, user and clientMsgId)
    /// inside the connection's open transaction. Each row comes back with that transaction's id: if
    /// the connection is lost while it commits, the id tells whether it did.
    /// </summary>
    /// <returns>
    /// Per entry, in order: the stored row, or null when its clientMsgId was already stored; and the
    /// transaction's id, null when nothing was inserted (then there is nothing to commit).
    /// </returns>
    public static async Task<(StoredMessage?[] Rows, ulong? TransactionId)> ExecuteAsync(NpgsqlConnection connection,
        IReadOnlyList<NewMessage> batch, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(TextArray("rooms", batch.Select(m => m.Room)));
        command.Parameters.Add(TextArray("user_ids", batch.Select(m => m.UserId)));
        command.Parameters.Add(TextArray("usernames", batch.Select(m => m.Username)));
        command.Parameters.Add(TextArray("contents", batch.Select(m => m.Content)));
        command.Parameters.Add(TextArray("client_msg_ids", batch.Select(m => m.ClientMsgId)));

        // Rows come back per room in seq order, which is each room's arrival order.
        var byRoom = new Dictionary<string, Queue<StoredMessage>>(StringComparer.Ordinal);
        ulong? transactionId = null;
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var row = StoredMessageRow.Read(reader);
                transactionId = reader.GetFieldValue<ulong>(8);
                if (!byRoom.TryGetValue(row.Room, out var rows))
                {
                    byRoom[row.Room] = rows = new Queue<StoredMessage>();
                }

                rows.Enqueue(row);
            }
        }

        foreach (var rows in byRoom.Values)
        {
            var ordered = rows.OrderBy(r => r.Seq).ToArray();
            rows.Clear();
            foreach (var row in ordered)
            {
                rows.Enqueue(row);
            }
        }

        var results = new StoredMessage?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            if (byRoom.TryGetValue(message.Room, out var rows) && rows.TryPeek(out var next) && IsRowOf(next, message))
            {
                results[i] = rows.Dequeue();
            }
        }

        if (byRoom.Values.Any(rows => rows.Count > 0))
        {
            throw new InvalidOperationException("batch insert returned rows that match no post");
        }

        return (results, transactionId);
    }

    private static bool IsRowOf(StoredMessage row, NewMessage message) =>
        row.UserId == message.UserId && row.ClientMsgId == message.ClientMsgId && row.Content == message.Content;

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}
