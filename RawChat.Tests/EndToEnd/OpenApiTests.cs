using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// <c>/openapi/v1.json</c>: the HTTP API described as a client generator reads it, fetched from a real
/// node: every route with its method, parameters, request body, answers and their schemas, and the
/// Bearer scheme.
/// </summary>
public sealed class OpenApiTests
{
    private JsonDocument _document = null!;

    [OneTimeSetUp]
    public async Task FetchTheDocumentAsync()
    {
        await using var node = await ChatNode.StartAsync();
        using var http = node.Http();
        using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        await File.WriteAllTextAsync("/tmp/openapi.json", text);
        _document = JsonDocument.Parse(text);
    }

    [OneTimeTearDown]
    public void DisposeDocument() => _document?.Dispose();

    [Test]
    public void Dump()
    {
        Assert.That(_document.RootElement.GetProperty("openapi").GetString(), Does.StartWith("3."));
    }
}
