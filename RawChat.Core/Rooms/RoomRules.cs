namespace RawChat.Core.Rooms;

/// <summary>Who may do what in a room (docs/protocol.md §14.1's table), as pure functions of what PostgreSQL holds.</summary>
public static class RoomRules
{
    /// <summary>Join, read (history, replay, the messages API) and, unless muted, post.</summary>
    public static bool MayRead(RoomPolicy policy, UserStanding standing, bool implicitOpenRooms, DateTime now)
    {
        if (!policy.Record.Exists && !implicitOpenRooms)
        {
            return false;
        }

        if (standing.IsBanned(now))
        {
            return false;
        }

        return policy.Record.Kind == RoomKinds.Open || standing.Role is not null;
    }

    /// <summary>Owners and moderators: topic and slow mode, adding members, removing, banning and muting.</summary>
    public static bool MayModerate(string? role) => MemberRoles.Rank(role) >= MemberRoles.Rank(MemberRoles.Moderator);

    /// <summary>A moderator acts only on users of a lower role; an owner on anyone but other owners.</summary>
    public static bool Outranks(string? actorRole, string? targetRole) =>
        MayModerate(actorRole) && MemberRoles.Rank(actorRole) > MemberRoles.Rank(targetRole);

    /// <summary>Roles, owners and moderators added, the audit: owners only.</summary>
    public static bool IsOwner(string? role) => role == MemberRoles.Owner;

    /// <summary>Slow mode holds back plain members (and users who are not members of an open room).</summary>
    public static bool SlowModeApplies(RoomPolicy policy, UserStanding standing) =>
        policy.Record.SlowModeSeconds > 0 && !MayModerate(standing.Role);
}
