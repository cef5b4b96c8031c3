using System.Net;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>docs/protocol.md §5: <c>/healthz</c> while the process runs, <c>/readyz</c> names what does not answer.</summary>
/// <remarks>Node A is whole; nothing listens on node B's Redis port, so Redis never answers it, yet it must come up.</remarks>
public sealed class HealthTests() : TwoNodeFixture(settingsOfB: new Dictionary<string, string?>
{
    ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()}",
})
{
    [Test]
    public async Task Healthz_answers_200()
    {
        using var http = A.Http();
        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readyz_answers_200_when_postgres_and_redis_both_answer()
    {
        using var http = A.Http();
        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Node_whose_redis_does_not_answer_starts_and_is_alive()
    {
        using var http = B.Http();
        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readyz_answers_503_naming_redis_when_redis_does_not_answer()
    {
        using var http = B.Http();
        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain("redis"));
        Assert.That(body, Does.Not.Contain("postgres"), "PostgreSQL answers: it must not be named as failed");
    }

    [Test]
    public async Task Health_bodies_are_small_json_status_objects()
    {
        using var http = A.Http();
        using var down = B.Http();

        Assert.That(await BodyAsync(http, "/healthz"), Is.EqualTo("""{"status":"ok"}"""));
        Assert.That(await BodyAsync(http, "/readyz"), Is.EqualTo("""{"status":"ready"}"""));
        Assert.That(await BodyAsync(down, "/healthz"), Is.EqualTo("""{"status":"ok"}"""), "liveness asks no dependency");
        Assert.That(await BodyAsync(down, "/readyz"), Is.EqualTo("""{"status":"unavailable","failed":["redis"]}"""));
    }

    private static async Task<string> BodyAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), path);
        return await response.Content.ReadAsStringAsync();
    }
}
