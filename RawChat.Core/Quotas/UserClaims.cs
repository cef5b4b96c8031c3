namespace RawChat.Core.Quotas;

/// <summary>One user's sockets on this node (<see cref="ConnectionQuota"/>). Lock it to read or change it.</summary>
internal sealed class UserClaims
{
    public List<string> Members { get; } = [];

    /// <summary>Claims being decided (waiting for Redis).</summary>
    public int Reserved { get; set; }

    /// <summary>Removed from the node's table: a new claim takes a new entry.</summary>
    public bool Retired { get; set; }

    public int Count => Members.Count + Reserved;
}
