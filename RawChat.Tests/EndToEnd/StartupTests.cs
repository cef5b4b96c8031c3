using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// Start-up as operators meet it: the real process refusing bad settings with one clear line, the
/// dev-token command, and nodes that start together against one empty database.
/// </summary>
public sealed class StartupTests
{
    private static readonly TimeSpan ProcessPatience = TimeSpan.FromSeconds(120);

    /// <summary>What README, "Deployment with Docker Compose" (now in docs/operations.md), once showed as <c>JWT_SECRET</c> before it showed <c>openssl rand -hex 32</c>.</summary>
    private const string ReadmeExampleSecret = "at-least-32-characters-of-real-secret";

    [TestCase("no secret", "Jwt:Secret")]
    [TestCase("short secret", "Jwt:Secret")]
    [TestCase("short secret in Development", "Jwt:Secret")]
    [TestCase("the README's example secret", "Jwt:Secret is the example secret")]
    [TestCase("the README's example secret in Staging", "Jwt:Secret is the example secret")]
    [TestCase("JWKS without issuer and audience", "Jwt:Issuer and Jwt:Audience must be set with Jwt:JwksUrl")]
    [TestCase("JWKS without audience", "Jwt:Audience must be set with Jwt:JwksUrl")]
    [TestCase("no postgres", "ConnectionStrings:Postgres")]
    public async Task Configuration_error_stops_the_process_with_exit_code_1_and_one_clear_line(string problem, string named)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = problem == "no postgres" ? null : await SharedDatabase.GetAsync(),
            ["ConnectionStrings__Redis"] = TestServers.Redis.ConnectionString,
            ["Jwt__Secret"] = TestTokens.Secret,
        };
        switch (problem)
        {
            case "no secret": environment["Jwt__Secret"] = null; break;
            case "short secret": environment["Jwt__Secret"] = "too-short-secret"; break;
            case "short secret in Development":
                environment["Jwt__Secret"] = "too-short-secret";
                environment["ASPNETCORE_ENVIRONMENT"] = "Development";
                break;
            case "the README's example secret": environment["Jwt__Secret"] = ReadmeExampleSecret; break;
            case "the README's example secret in Staging":
                environment["Jwt__Secret"] = ReadmeExampleSecret;
                environment["ASPNETCORE_ENVIRONMENT"] = "Staging";
                break;
            case "JWKS without issuer and audience": environment["Jwt__JwksUrl"] = "https://idp.example.com/.well-known/jwks.json"; break;
            case "JWKS without audience":
                environment["Jwt__JwksUrl"] = "https://idp.example.com/.well-known/jwks.json";
                environment["Jwt__Issuer"] = "https://idp.example.com/";
                break;
        }

        var run = await RunApiAsync(environment);

        var errorLines = Lines(run.Stderr);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(errorLines, Has.Count.EqualTo(1), run.ToString());
        Assert.That(errorLines[0], Does.Contain(named), run.ToString());
        Assert.That(Lines(run.Stdout).Concat(errorLines).Where(l => l.StartsWith("   at ", StringComparison.Ordinal)),
            Is.Empty, $"a stack trace: {run}");
        Assert.That(run.Stdout + run.Stderr, Does.Not.Contain("Unhandled exception"), run.ToString());
    }

    [Test]
    public async Task The_READMEs_example_secret_is_accepted_in_Development()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        environment["Jwt__Secret"] = ReadmeExampleSecret;
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        await using var api = ApiProcess.Start(environment);

        await api.WaitUntilReadyAsync(ProcessPatience);
    }

    [Test]
    public async Task Dev_token_command_prints_one_token_that_a_node_with_the_same_secret_accepts()
    {
        var run = await RunApiAsync(new Dictionary<string, string?> { ["Jwt__Secret"] = TestTokens.Secret },
            "token", "--user", "42", "--name", "alice");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        var lines = Lines(run.Stdout);
        Assert.That(lines, Has.Count.EqualTo(1), run.ToString());
        var token = lines[0].Trim();
        Assert.That(token.Split('.'), Has.Length.EqualTo(3), run.ToString());

        await using var node = await ChatNode.StartAsync();
        var room = Rooms.Unique("devtoken");
        await using var client = await node.ConnectAsync(token, path: $"/ws/chat/{room}");
        await client.SendAsync(new { message = "hello from the dev token" });
        var frame = await client.ReceiveTypeAsync("message");

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("42"));
    }

    [Test]
    public async Task Dev_token_command_with_rooms_prints_a_token_limited_to_those_rooms()
    {
        var run = await RunApiAsync(new Dictionary<string, string?> { ["Jwt__Secret"] = TestTokens.Secret },
            "token", "--user", "43", "--rooms", "team-*");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        var token = Lines(run.Stdout).Single().Trim();

        await using var node = await ChatNode.StartAsync();
        await using var client = await node.ConnectAsync(token, path: "/ws/chat/team-a");
        await client.ExpectNothingPendingAsync();
        var refused = await Handshake.SendAsync(node, $"/ws/chat/lobby?token={token}");

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Error, Is.EqualTo("forbidden_room"));
    }

    [Test]
    public async Task Two_nodes_starting_together_on_an_empty_database_both_come_up_with_the_schema_made_once()
    {
        var database = await TestServers.Postgres.CreateDatabaseAsync();
        var starting = new[] { ChatNode.StartAsync(postgres: database), ChatNode.StartAsync(postgres: database) };
        try
        {
            await Task.WhenAll(starting);
            var (first, second) = (starting[0].Result, starting[1].Result);

            await using (var db = new NpgsqlConnection(database))
            {
                var applied = (await db.QueryAsync<(string Script, long Times)>(
                    "SELECT scriptname, count(*) FROM schemaversions GROUP BY scriptname")).ToList();
                var scripts = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
                    .Where(n => n.Contains(".Storage.Migrations.", StringComparison.Ordinal)).ToList();
                Assert.That(scripts, Is.Not.Empty);
                Assert.That(applied.Select(a => a.Script), Is.EquivalentTo(scripts));
                Assert.That(applied.Select(a => a.Times), Is.All.EqualTo(1L));
            }

            // Posted on one node: heard live on the other, and readable there.
            var room = Rooms.Unique("twins");
            await using var listener = await second.ConnectAsync(TestTokens.For("81", "sam"), path: $"/ws/chat/{room}");
            await listener.ExpectNothingPendingAsync();
            await using var poster = await first.ConnectAsync(TestTokens.For("82", "tia"), path: $"/ws/chat/{room}");
            await poster.SendAsync(new { message = "across nodes" });
            var own = await poster.ReceiveTypeAsync("message");
            var heard = await listener.ReceiveTypeAsync("message");
            Assert.That(heard.GetProperty("message").GetString(), Is.EqualTo("across nodes"));
            Assert.That(heard.GetProperty("id").GetInt64(), Is.EqualTo(own.GetProperty("id").GetInt64()));

            using var http = second.Http();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{room}/messages");
            request.Headers.Authorization = new("Bearer", TestTokens.For("81"));
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            using var page = JsonDocument.Parse(body);
            Assert.That(page.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()),
                Is.EqualTo(new[] { "across nodes" }));
        }
        finally
        {
            foreach (var node in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await node.Result.DisposeAsync();
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();

    /// <summary>
    /// Runs the real service, <c>dotnet RawChat.Api.dll</c>, with only the given settings among
    /// the <c>Jwt__*</c> and <c>ConnectionStrings__*</c> variables (null: not set at all).
    /// </summary>
    private static async Task<Run> RunApiAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var apiDll = typeof(RawChat.Api.ChatServer).Assembly.Location;
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        info.ArgumentList.Add(apiDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        string[] cleared = ["Jwt__", "ConnectionStrings__", "Chat__", "Fanout__", "Urls", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT",
            "DOTNET_ENVIRONMENT"];
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (cleared.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                info.Environment.Remove(key);
            }
        }

        // Should the process start after all, it must not take a fixed port.
        info.Environment["Urls"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment)
        {
            if (value is not null)
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessPatience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"the process did not exit within {ProcessPatience.TotalSeconds} s\n{await stdout}\n{await stderr}");
        }

        return new Run(process.ExitCode, await stdout, await stderr);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
