using RawChat.Api.Http;
using RawChat.Core.Auth;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

/// <summary>
/// The caller of a rooms endpoint, in a room it may read: its token, the room's record and its role there, read from
/// PostgreSQL (the API's decisions never rest on a cache). Service tokens act as owners (docs/protocol.md §14.1).
/// </summary>
internal sealed record RoomActor(ChatUser User, RoomRecord Room, string? Role)
{
    private string? EffectiveRole => User.IsService ? MemberRoles.Owner : Role;

    /// <summary>403 <c>forbidden</c> unless an owner or moderator may manage this room (never a direct room).</summary>
    public Refusal? RefuseUnlessModerator() =>
        Room.Kind == RoomKinds.Direct ? RoomAnswers.Forbidden("a direct room is not managed")
        : RoomRules.MayModerate(EffectiveRole) ? null
        : RoomAnswers.Forbidden("only the room's owners and moderators may do this");

    /// <summary>403 <c>forbidden</c> unless an owner.</summary>
    public Refusal? RefuseUnlessOwner() =>
        Room.Kind == RoomKinds.Direct ? RoomAnswers.Forbidden("a direct room is not managed")
        : RoomRules.IsOwner(EffectiveRole) ? null
        : RoomAnswers.Forbidden("only the room's owners may do this");

    /// <summary>403 <c>forbidden</c> unless the caller outranks a user of <paramref name="targetRole"/>.</summary>
    public Refusal? RefuseUnlessOutranks(string? targetRole) =>
        User.IsService || RoomRules.Outranks(Role, targetRole) ? null
        : RoomAnswers.Forbidden("you may act only on users of a lower role");
}

/// <summary>Finds the <see cref="RoomActor"/> of a request, or the refusal it gets.</summary>
internal sealed class RoomActors(RoomGuard guard, RoomStore rooms, MemberStore members)
{
    /// <returns>The actor, or 403 <c>forbidden_room</c> when the caller may not read the room.</returns>
    public async Task<(RoomActor? Actor, Refusal? Refusal)> ResolveAsync(HttpContext context, string room)
    {
        var user = context.Caller();
        if (await guard.RefuseReadAsync(user, room).ConfigureAwait(false) is not null)
        {
            return (null, ForbiddenRoom());
        }

        var record = await rooms.GetAsync(room).ConfigureAwait(false) ?? RoomRecord.Implicit(room);
        var role = await members.RoleAsync(room, user.UserId).ConfigureAwait(false);
        return (new RoomActor(user, record, role), null);
    }

    public static Refusal ForbiddenRoom() =>
        new(StatusCodes.Status403Forbidden, ErrorCodes.ForbiddenRoom, "you may not use this room");
}
