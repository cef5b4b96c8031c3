using RawChat.Core.Storage;

namespace RawChat.Api.Rooms;

/// <summary>The rooms endpoints' filter: PostgreSQL down, hung or too slow answers 503 <c>unavailable</c> with Retry-After.</summary>
internal sealed class StorageFailureRefusal : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            return RoomAnswers.Unavailable();
        }
    }
}
