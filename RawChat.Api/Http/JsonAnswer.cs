namespace RawChat.Api.Http;

/// <summary>
/// A success answer whose JSON the protocol's writers (<c>ServerFrames</c>) already made, byte for byte
/// the shapes the socket sends. The OpenAPI document learns its schema from the endpoint's
/// <c>Produces</c>, not from this type.
/// </summary>
internal sealed class JsonAnswer(int status, byte[] utf8Json) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => status;

    public string ContentType => "application/json";

    /// <summary>Adds <c>Cache-Control: no-store</c>: the body holds a credential.</summary>
    public bool NoStore { get; init; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        if (NoStore)
        {
            response.Headers.CacheControl = "no-store";
        }

        response.ContentLength = utf8Json.Length;
        return response.Body.WriteAsync(utf8Json, httpContext.RequestAborted).AsTask();
    }
}
