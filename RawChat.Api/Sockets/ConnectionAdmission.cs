using RawChat.Api.Http;
using RawChat.Core.Quotas;

namespace RawChat.Api.Sockets;

/// <summary>
/// The last checks of docs/protocol.md §1, after the token and the origin: the user's cluster-wide
/// connection limit (429 <c>too_many_connections</c>, one Redis round trip), then this node's limits
/// (503 <c>over_capacity</c>). An admitted socket holds a place in each, and its user's posting budget.
/// </summary>
internal sealed class ConnectionAdmission(ConnectionQuota quota, OpenSockets tracker, PostQuota posts)
{
    /// <returns>The places the socket holds, or the refusal to answer with.</returns>
    public async Task<(Admission? Admission, Refusal? Refusal)> TryAdmitAsync(string userId, string connectionId)
    {
        if (await quota.TryClaimAsync(userId, connectionId).ConfigureAwait(false) is not { } claim)
        {
            return (null, Refusal.TooManyConnections());
        }

        if (!tracker.TryAdmit(userId))
        {
            quota.Release(claim);
            return (null, Refusal.OverCapacity());
        }

        return (new Admission(claim, posts.Attach(userId)), null);
    }

    /// <summary>Gives back every place <see cref="TryAdmitAsync"/> took.</summary>
    public void Release(Admission admission)
    {
        posts.Detach(admission.Posts);
        tracker.Release(admission.Claim.UserId);
        quota.Release(admission.Claim);
    }

    /// <summary>What an admitted socket holds until it closes.</summary>
    public sealed record Admission(ConnectionClaim Claim, UserPosts Posts);
}
