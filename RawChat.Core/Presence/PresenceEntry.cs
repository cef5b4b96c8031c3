using System.Globalization;
using System.Text;

namespace RawChat.Core.Presence;

/// <summary>
/// One node's claim that a user is in a room: a member of the room's sorted set, scored with its
/// expiry. Bytes: <c>{length of userId in UTF-8 bytes}:{userId}{nodeId, 32 hex}{name}</c>. The
/// length prefix makes <c>{length}:{userId}</c> an unambiguous prefix, which the Lua scripts use
/// to find the user's claims from other nodes without parsing JSON.
/// </summary>
public static class PresenceEntry
{
    public const int NodeIdLength = 32;

    public static byte[] Encode(string nodeId, PresenceUser user)
    {
        var prefix = UserPrefix(user.UserId);
        var name = Encoding.UTF8.GetBytes(user.Name);
        var member = new byte[prefix.Length + NodeIdLength + name.Length];
        prefix.CopyTo(member, 0);
        Encoding.ASCII.GetBytes(nodeId, member.AsSpan(prefix.Length, NodeIdLength));
        name.CopyTo(member, prefix.Length + NodeIdLength);
        return member;
    }

    /// <summary>The part shared by every node's claim for this user.</summary>
    public static byte[] UserPrefix(string userId)
    {
        var id = Encoding.UTF8.GetBytes(userId);
        var length = Encoding.ASCII.GetBytes(id.Length.ToString(CultureInfo.InvariantCulture) + ":");
        return [.. length, .. id];
    }

    public static bool TryDecode(ReadOnlySpan<byte> member, out PresenceUser user)
    {
        user = null!;
        var colon = member.IndexOf((byte)':');
        if (colon <= 0 || !int.TryParse(member[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var idLength))
        {
            return false;
        }

        var rest = member[(colon + 1)..];
        if (idLength > rest.Length - NodeIdLength)
        {
            return false;
        }

        user = new PresenceUser(
            Encoding.UTF8.GetString(rest[..idLength]),
            Encoding.UTF8.GetString(rest[(idLength + NodeIdLength)..]));
        return true;
    }
}
