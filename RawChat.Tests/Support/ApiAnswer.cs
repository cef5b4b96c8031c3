using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RawChat.Tests.Support;

/// <summary>An HTTP API answer as a client sees it: the status, the response (headers) and the body text.</summary>
public sealed record ApiAnswer(HttpStatusCode Status, HttpResponseMessage Response, string Text)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Text);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="pathAndQuery"/> to the node, with the token as a bearer when there is one.</summary>
    public static async Task<ApiAnswer> SendAsync(ChatNode node, HttpMethod method, string pathAndQuery, string? token,
        HttpContent? content = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var http = node.Http();
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request);
        return new ApiAnswer(response.StatusCode, response, await response.Content.ReadAsStringAsync());
    }
}
