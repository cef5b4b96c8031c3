using Dapper;
using Npgsql;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>An ack as the server sent it, to look for in PostgreSQL.</summary>
internal sealed record Ack(long Id, string Room, long Seq, string UserId, string ClientMsgId);

/// <summary>docs/protocol.md §2.2: no frame reports a message as sent that is not in the database.</summary>
internal static class StoredAcks
{
    /// <returns>One line for each ack whose message is not stored as acked (id, room, seq, user, clientMsgId).</returns>
    public static async Task<IEnumerable<string>> MissingAsync(string postgres, List<Ack> acks, FuzzStats stats)
    {
        if (acks.Count == 0)
        {
            return [];
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var db = new NpgsqlConnection(postgres);
        var rows = (await db.QueryAsync<(long Id, string Room, long Seq, string UserId, string? ClientMsgId)>(new CommandDefinition(
                "SELECT id, room, seq, user_id, client_msg_id FROM messages WHERE id = ANY(@ids)",
                new { ids = acks.Select(a => a.Id).Distinct().ToArray() }, cancellationToken: timeout.Token)))
            .ToDictionary(r => r.Id);
        stats.Count("acks checked in PostgreSQL", acks.Count);
        return acks.Where(a => !rows.TryGetValue(a.Id, out var row)
                || (row.Room, row.Seq, row.UserId, row.ClientMsgId) != (a.Room, a.Seq, a.UserId, a.ClientMsgId))
            .Select(a => $"acked but not stored so in PostgreSQL: {a}");
    }
}
