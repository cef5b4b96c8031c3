using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using RawChat.Api.Http;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

/// <summary>
/// What one user can make through the rooms API (docs/protocol.md §14.3): memberships per user, members per room,
/// checked before a change; counted in PostgreSQL, so two requests racing may pass the bound by one each.
/// </summary>
internal sealed class RoomLimits(MemberStore members, IOptions<RoomsOptions> options)
{
    private readonly RoomsOptions _options = options.Value;

    /// <returns>409 <c>too_many_rooms</c> when the user is in <see cref="RoomsOptions.MaxRoomsPerUser"/> rooms already.</returns>
    public async Task<Refusal?> RefuseAnotherRoomAsync(string userId) =>
        await members.CountRoomsOfAsync(userId).ConfigureAwait(false) >= _options.MaxRoomsPerUser
            ? new Refusal(StatusCodes.Status409Conflict, ErrorCodes.TooManyRooms, $"a user may be in at most {_options.MaxRoomsPerUser} rooms")
            : null;

    /// <returns>409 <c>room_full</c> when the room has <see cref="RoomsOptions.MaxMembersPerRoom"/> members already.</returns>
    public async Task<Refusal?> RefuseAnotherMemberAsync(string room) =>
        await members.CountMembersAsync(room).ConfigureAwait(false) >= _options.MaxMembersPerRoom
            ? new Refusal(StatusCodes.Status409Conflict, ErrorCodes.RoomFull, $"a room has at most {_options.MaxMembersPerRoom} members")
            : null;
}

/// <summary>
/// The rooms API's request budget per user on this node: a token bucket from System.Threading.RateLimiting, partitioned
/// by the token's user id (so only a valid token spends it; it runs after <see cref="BearerGate"/>). Over it: 429
/// <c>rate_limited</c> with Retry-After. Service tokens are backends and are not counted.
/// </summary>
internal sealed class RoomsApiBudget : IEndpointFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public RoomsApiBudget(IOptions<RoomsOptions> options)
    {
        var (perSecond, burst) = (options.Value.ApiRequestsPerSecond, options.Value.ApiBurst);
        _limiter = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(user,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var user = context.HttpContext.Caller();
        if (!user.IsService)
        {
            using var lease = _limiter.AttemptAcquire(user.UserId);
            if (!lease.IsAcquired)
            {
                return new Refusal(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "too many rooms API requests; slow down")
                { RetryAfterSeconds = 1 };
            }
        }

        return await next(context).ConfigureAwait(false);
    }

    public void Dispose() => _limiter.Dispose();
}
