using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>Reads a <see cref="StoredMessage"/> from a row of <see cref="Columns"/>.</summary>
internal static class StoredMessageRow
{
    public const string Columns = "id, room, seq, user_id, username, content, client_msg_id, created_at";

    public static StoredMessage Read(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
            reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetDateTime(7));
}
