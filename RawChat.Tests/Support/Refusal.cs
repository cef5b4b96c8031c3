using System.Net;
using System.Text.Json;
using NUnit.Framework;

namespace RawChat.Tests.Support;

/// <summary>What a refused client sees (use with <c>using static RawChat.Tests.Support.Refusal;</c>), the same at the handshake and the HTTP API: the status, the error body and no trace of its token.</summary>
public static class Refusal
{
    public static void AssertRefused(Handshake.Answer answer, HttpStatusCode status, string error, string? token = null) =>
        AssertRefused(answer.Response, answer.Text, status, error, token);

    public static void AssertRefused(ApiAnswer answer, HttpStatusCode status, string error, string? token = null) =>
        AssertRefused(answer.Response, answer.Text, status, error, token);

    /// <summary>
    /// Status, a JSON body of exactly <c>error</c> and <c>detail</c>, the bearer challenge on 401,
    /// Retry-After on 503, and neither the token nor any part of it in the body or a header.
    /// </summary>
    public static void AssertRefused(HttpResponseMessage response, string text, HttpStatusCode status, string error, string? token = null)
    {
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        var context = $"{(int)response.StatusCode} {headers}\n{text}";
        Assert.That(response.StatusCode, Is.EqualTo(status), context);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), context);

        using var document = JsonDocument.Parse(text);
        var body = document.RootElement;
        Assert.That(body.ValueKind, Is.EqualTo(JsonValueKind.Object), context);
        Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "error", "detail" }), context);
        Assert.That(body.GetProperty("error").GetString(), Is.EqualTo(error), context);
        Assert.That(body.GetProperty("detail").ValueKind, Is.EqualTo(JsonValueKind.String), context);
        Assert.That(body.GetProperty("detail").GetString(), Is.Not.Empty, context);

        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.That(response.Headers.TryGetValues("WWW-Authenticate", out var challenge), Is.True, context);
            Assert.That(challenge, Is.EqualTo(new[] { "Bearer error=\"invalid_token\"" }), context);
        }

        if (status == HttpStatusCode.ServiceUnavailable)
        {
            var retryAfter = response.Headers.RetryAfter;
            Assert.That(retryAfter, Is.Not.Null, $"503 without Retry-After: {context}");
            Assert.That(retryAfter!.Delta > TimeSpan.Zero || retryAfter.Date is not null, Is.True, context);
        }

        if (!string.IsNullOrEmpty(token))
        {
            // Neither the token nor any of its parts may come back.
            foreach (var piece in token.Split('.').Where(p => p.Length >= 8).Append(token))
            {
                Assert.That(text, Does.Not.Contain(piece), "the refusal quotes the token");
                Assert.That(headers, Does.Not.Contain(piece), "a header quotes the token");
            }
        }
    }
}
