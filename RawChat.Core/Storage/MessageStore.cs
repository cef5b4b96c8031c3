using Microsoft.Extensions.Options;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// Reads of stored messages, all through the <see cref="ReadGate"/>, on the read connections
/// (never the writers'), each within the command timeout (past it: <see cref="TimeoutException"/>).
/// Pages and replay chunks are bounded in bytes as well as rows: PostgreSQL stops adding rows
/// once their text passes the byte budget, so a page of 4,000-character messages never makes
/// the node read megabytes at once.
/// </summary>
public sealed class MessageStore(NpgsqlDataSource dataSource, ReadGate gate, IOptions<StorageOptions> options)
{
    // A lower bound of a row's size as a message frame: its texts plus the fixed JSON around them.
    private const string RowBytes =
        "(octet_length(content) + octet_length(username) + octet_length(user_id) + octet_length(room) + coalesce(octet_length(client_msg_id), 0) + 96)";

    // The newest rows below @before, newest first, at most @limit of them, and no more than one row
    // past the one that passes @max_bytes: the caller's exact cut (ServerFrames.History) then
    // always finds a row it left out whenever the room holds older messages.
    private const string PageSql = """
        SELECT id, room, seq, user_id, username, content, client_msg_id, created_at FROM (
            SELECT *, coalesce(sum(row_bytes) OVER (ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0)
                AS bytes_before_previous FROM (
                SELECT *, 
        """ + RowBytes + """
         AS row_bytes FROM messages
                WHERE room = @room AND seq < @before ORDER BY seq DESC LIMIT @limit) newest) page
        WHERE bytes_before_previous < @max_bytes ORDER BY seq DESC
        """;

    // The oldest rows above @since, oldest first, until the one that passes @max_bytes.
    private const string AfterSql = """
        SELECT id, room, seq, user_id, username, content, client_msg_id, created_at FROM (
            SELECT *, sum(row_bytes) OVER (ORDER BY seq) - row_bytes AS bytes_before FROM (
                SELECT *, 
        """ + RowBytes + """
         AS row_bytes FROM messages
                WHERE room = @room AND seq > @since ORDER BY seq LIMIT @limit) oldest) chunk
        WHERE bytes_before < @max_bytes ORDER BY seq
        """;

    private const string LastSeqSql = "SELECT last_seq FROM rooms WHERE room = @room";

    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.Value.CommandTimeoutMilliseconds);

    /// <summary>
    /// The candidates for one page back through a room, newest first: messages with
    /// <c>seq &lt; before</c> (all when <paramref name="before"/> is null), at most
    /// <paramref name="limit"/> + 1, and at most one past the row that passes <paramref name="maxBytes"/>.
    /// <c>ServerFrames.History</c> cuts the page from them exactly; what it leaves out says there is more.
    /// </summary>
    public Task<List<StoredMessage>> ReadPageAsync(string room, long? before, int limit, int maxBytes, ReadAdmission admission,
        CancellationToken ct) =>
        ReadAsync(PageSql, admission, command =>
        {
            command.Parameters.AddWithValue("room", room);
            command.Parameters.AddWithValue("before", before ?? long.MaxValue);
            command.Parameters.AddWithValue("limit", limit + 1);
            command.Parameters.AddWithValue("max_bytes", (long)maxBytes);
        }, ct);

    /// <summary>
    /// Messages with <c>seq &gt; since</c>, oldest first, at most <paramref name="limit"/>, stopping
    /// at the first that takes the chunk past <paramref name="maxBytes"/>.
    /// </summary>
    public Task<List<StoredMessage>> ReadAfterAsync(string room, long since, int limit, int maxBytes, CancellationToken ct,
        ReadAdmission admission = ReadAdmission.WaitTurn) =>
        ReadAsync(AfterSql, admission, command =>
        {
            command.Parameters.AddWithValue("room", room);
            command.Parameters.AddWithValue("since", since);
            command.Parameters.AddWithValue("limit", limit);
            command.Parameters.AddWithValue("max_bytes", (long)maxBytes);
        }, ct);

    /// <summary>The room's newest seq, 0 for a room that holds no message.</summary>
    public async Task<long> LastSeqAsync(string room, CancellationToken ct, ReadAdmission admission = ReadAdmission.WaitTurn)
    {
        using var slot = await gate.EnterAsync(admission, ct).ConfigureAwait(false);
        return await WithinTimeoutAsync(async token =>
        {
            await using var command = dataSource.CreateCommand(LastSeqSql);
            command.Parameters.AddWithValue("room", room);
            return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as long? ?? 0;
        }, ct).ConfigureAwait(false);
    }

    private async Task<List<StoredMessage>> ReadAsync(string sql, ReadAdmission admission, Action<NpgsqlCommand> bind,
        CancellationToken ct)
    {
        using var slot = await gate.EnterAsync(admission, ct).ConfigureAwait(false);
        return await WithinTimeoutAsync(async token =>
        {
            await using var command = dataSource.CreateCommand(sql);
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            var rows = new List<StoredMessage>();
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                rows.Add(StoredMessageRow.Read(reader));
            }

            return rows;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Runs a read with the command timeout (a <see cref="Deadline"/>: it holds even when PostgreSQL hangs).</summary>
    /// <exception cref="TimeoutException">PostgreSQL did not answer in time.</exception>
    private Task<T> WithinTimeoutAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct) =>
        Deadline.RunAsync(read(ct), _timeout);
}
