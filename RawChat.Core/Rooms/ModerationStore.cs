using Dapper;

namespace RawChat.Core.Rooms;

/// <summary>A ban or a mute as the API shows it.</summary>
public sealed record Sanction(string Room, string UserId, string? Reason, DateTime? ExpiresAt, string By, DateTime At);

/// <summary>One row of a room's moderation audit.</summary>
public sealed record AuditEntry(long Id, DateTime At, string Actor, string Action, string? Target, string? Reason, string? Details);

/// <summary>Bans, mutes and the audit in PostgreSQL (docs/protocol.md §14.5); every change writes its audit row in its transaction.</summary>
public sealed class ModerationStore(RoomsDatabase database)
{
    /// <summary>Bans the user (again: the new ban replaces the old).</summary>
    public Task<MemberChange<Sanction>> BanAsync(string room, string userId, string reason, DateTime? expiresAt, string actor) =>
        SanctionAsync("room_bans", "banned_by", "banned_at", "ban", room, userId, reason, expiresAt, actor);

    public Task<MemberChange<Sanction>> MuteAsync(string room, string userId, string? reason, DateTime? expiresAt, string actor) =>
        SanctionAsync("room_mutes", "muted_by", "muted_at", "mute", room, userId, reason, expiresAt, actor);

    /// <returns>false when the user was not banned.</returns>
    public Task<MemberChange<bool>> UnbanAsync(string room, string userId, string actor) => LiftAsync("room_bans", "unban", room, userId, actor);

    public Task<MemberChange<bool>> UnmuteAsync(string room, string userId, string actor) => LiftAsync("room_mutes", "unmute", room, userId, actor);

    /// <summary>The newest entries below <paramref name="before"/>; one more than asked tells there are more.</summary>
    public async Task<(List<AuditEntry> Entries, bool HasMore)> AuditAsync(string room, long? before, int limit)
    {
        var rows = (await database.ReadAsync(db => db.QueryAsync<AuditEntry>("""
            SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, reason AS Reason, details::text AS Details
            FROM moderation_audit WHERE room = @room AND id < @before ORDER BY id DESC LIMIT @take
            """, new { room, before = before ?? long.MaxValue, take = limit + 1 })).ConfigureAwait(false)).ToList();
        var hasMore = rows.Count > limit;
        return (hasMore ? rows[..limit] : rows, hasMore);
    }

    // Table and column names are constants of this class, never input.
    private Task<MemberChange<Sanction>> SanctionAsync(string table, string byColumn, string atColumn, string action, string room,
        string userId, string? reason, DateTime? expiresAt, string actor) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var seq = await RoomsDatabase.LastSeqLockedAsync(db, tx, room).ConfigureAwait(false);
            var sanction = await db.QuerySingleAsync<Sanction>($"""
                INSERT INTO {table} (room, user_id, reason, expires_at, {byColumn}, {atColumn})
                VALUES (@room, @userId, @reason, @expiresAt, @actor, now())
                ON CONFLICT (room, user_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
                    {byColumn} = EXCLUDED.{byColumn}, {atColumn} = EXCLUDED.{atColumn}
                RETURNING room AS Room, user_id AS UserId, reason AS Reason, expires_at AS ExpiresAt, {byColumn} AS By, {atColumn} AS At
                """, new { room, userId, reason, expiresAt, actor }, tx).ConfigureAwait(false);
            await RoomsDatabase.AuditAsync(db, tx, room, actor, action, userId, reason,
                expiresAt is null ? null : $$"""{"expiresAt": "{{expiresAt.Value.ToUniversalTime():O}}"}""").ConfigureAwait(false);
            return new MemberChange<Sanction>(sanction, seq);
        });

    private Task<MemberChange<bool>> LiftAsync(string table, string action, string room, string userId, string actor) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var seq = await RoomsDatabase.LastSeqLockedAsync(db, tx, room).ConfigureAwait(false);
            var lifted = await db.ExecuteAsync($"DELETE FROM {table} WHERE room = @room AND user_id = @userId", new { room, userId }, tx)
                .ConfigureAwait(false) == 1;
            if (lifted)
            {
                await RoomsDatabase.AuditAsync(db, tx, room, actor, action, userId, null).ConfigureAwait(false);
            }

            return new MemberChange<bool>(lifted, seq);
        });
}
