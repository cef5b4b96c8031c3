namespace RawChat.Core.Quotas;

/// <summary>One socket's place in its user's cluster-wide connection count; give it back with <see cref="ConnectionQuota.Release"/>.</summary>
public sealed class ConnectionClaim
{
    internal ConnectionClaim(string userId, string member, UserClaims owner)
    {
        UserId = userId;
        Member = member;
        Owner = owner;
    }

    public string UserId { get; }

    /// <summary>The member in the user's Redis set: <c>{node}:{connection}</c>.</summary>
    internal string Member { get; }

    internal UserClaims Owner { get; }
}
