using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Api.Http;

/// <summary>
/// The <c>/api</c> group's rate limit: a read that found every read slot taken
/// (<c>Storage:MaxConcurrentReads</c>, the gate the socket's history reads share) is answered 429
/// <c>rate_limited</c> with <c>Retry-After: 1</c>.
/// </summary>
internal sealed class ReadGateRefusal : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (ReadsBusyException)
        {
            return new Refusal(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "too many reads at once; retry later")
            { RetryAfterSeconds = 1 };
        }
    }
}
