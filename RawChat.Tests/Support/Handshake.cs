using System.Net;
using System.Text.Json;
using NUnit.Framework;

namespace RawChat.Tests.Support;

/// <summary>
/// Sends a WebSocket upgrade request (or, with <c>upgrade: false</c>, a plain GET) with HttpClient,
/// to read what a refused client sees: the HTTP status, its headers and the body. The test fails
/// at once when the server accepts the upgrade instead of refusing it.
/// </summary>
public static class Handshake
{
    public sealed record Answer(HttpStatusCode Status, HttpResponseMessage Response, string Text, JsonElement? Body)
    {
        public string? Error => Body?.GetProperty("error").GetString();
    }

    public static async Task<Answer> SendAsync(ChatNode node, string pathAndQuery,
        IDictionary<string, string>? headers = null, bool upgrade = true)
    {
        using var http = node.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (upgrade)
        {
            request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
            request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.SwitchingProtocols)
        {
            response.Dispose();
            Assert.Fail($"GET {pathAndQuery}: the server accepted the WebSocket upgrade instead of refusing it");
        }

        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            using var document = JsonDocument.Parse(text);
            body = document.RootElement.Clone();
        }

        return new Answer(response.StatusCode, response, text, body);
    }
}
