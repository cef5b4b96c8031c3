using Npgsql;
using RawChat.Core.Storage;

namespace RawChat.Tests.Support;

/// <summary>
/// Seeds a room with stored messages through the server's own statement (<see cref="BatchInsert"/>),
/// so tests never hand-write the insert SQL and seeded rows are exactly what the writer stores.
/// </summary>
public static class StoredMessages
{
    /// <summary>Stores <paramref name="count"/> messages of <paramref name="content"/> in <paramref name="room"/> (seqs after its last), in one transaction.</summary>
    public static async Task SeedAsync(string room, int count, string userId, string content, string username = "seeder",
        string? connectionString = null)
    {
        await using var db = new NpgsqlConnection(connectionString ?? await SharedDatabase.GetAsync());
        await db.OpenAsync();
        await using var transaction = await db.BeginTransactionAsync();
        var batch = Enumerable.Range(0, count).Select(_ => new NewMessage(room, userId, username, content, null)).ToList();
        await BatchInsert.ExecuteAsync(db, batch, CancellationToken.None);
        await transaction.CommitAsync();
    }
}
