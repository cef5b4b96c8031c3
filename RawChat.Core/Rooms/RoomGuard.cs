using Microsoft.Extensions.Options;
using RawChat.Core.Auth;
using RawChat.Core.Protocol;

namespace RawChat.Core.Rooms;

/// <summary>
/// Answers "may this user use this room?" for every path (docs/protocol.md §14.1): connect, join, replay, history, the
/// messages API and posts. The token's <c>rooms</c> claim comes first; service tokens pass the rest. Decided from
/// <see cref="RoomAccessCache"/>: PostgreSQL only on a miss.
/// </summary>
public sealed class RoomGuard(RoomAccessCache cache, SlowMode slowMode, IOptions<RoomsOptions> options, TimeProvider time)
{
    private readonly bool _implicitOpenRooms = options.Value.ImplicitOpenRooms;

    /// <returns>null when the user may join and read the room, else <c>forbidden_room</c>.</returns>
    public async ValueTask<string?> RefuseReadAsync(ChatUser user, string room)
    {
        if (!user.Rooms.Allows(room))
        {
            return ErrorCodes.ForbiddenRoom;
        }

        if (user.IsService)
        {
            return null;
        }

        var (policy, standing) = await cache.GetAsync(room, user.UserId).ConfigureAwait(false);
        return RoomRules.MayRead(policy, standing, _implicitOpenRooms, time.GetUtcNow().UtcDateTime) ? null : ErrorCodes.ForbiddenRoom;
    }

    /// <summary>
    /// A post by a connection in the room: <c>forbidden_room</c> once it may no longer read the room, <c>forbidden</c>
    /// while muted, <c>rate_limited</c> with the wait under slow mode. Completes at once from the cache for a room
    /// without slow mode.
    /// </summary>
    public ValueTask<PostRefusal?> RefusePostAsync(ChatUser user, string room)
    {
        if (user.IsService)
        {
            return ValueTask.FromResult<PostRefusal?>(null);
        }

        var access = cache.GetAsync(room, user.UserId);
        return access.IsCompletedSuccessfully ? DecidePost(user, room, access.Result) : DecidePostAsync(user, room, access);
    }

    private async ValueTask<PostRefusal?> DecidePostAsync(ChatUser user, string room,
        ValueTask<(RoomPolicy, UserStanding)> access) =>
        await DecidePost(user, room, await access.ConfigureAwait(false)).ConfigureAwait(false);

    private ValueTask<PostRefusal?> DecidePost(ChatUser user, string room, (RoomPolicy Policy, UserStanding Standing) access)
    {
        var (policy, standing) = access;
        var now = time.GetUtcNow().UtcDateTime;
        // The token's claim was checked when the connection joined (or by RefuseReadAsync before a not-joined answer).
        if (!RoomRules.MayRead(policy, standing, _implicitOpenRooms, now))
        {
            return ValueTask.FromResult<PostRefusal?>(new PostRefusal(ErrorCodes.ForbiddenRoom));
        }

        if (standing.IsMuted(now))
        {
            return ValueTask.FromResult<PostRefusal?>(new PostRefusal(ErrorCodes.Forbidden));
        }

        return RoomRules.SlowModeApplies(policy, standing)
            ? SlowModeAsync(user, room, policy.Record.SlowModeSeconds)
            : ValueTask.FromResult<PostRefusal?>(null);
    }

    private async ValueTask<PostRefusal?> SlowModeAsync(ChatUser user, string room, int seconds) =>
        await slowMode.TryTakeAsync(room, user.UserId, seconds).ConfigureAwait(false) is { } wait
            ? new PostRefusal(ErrorCodes.RateLimited, wait)
            : null;
}
