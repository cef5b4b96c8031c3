using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RawChat.Api;

namespace RawChat.Tests.Support;

/// <summary>
/// A real RawChat node: the same composition root as the service, on Kestrel at a free
/// loopback port, against the test run's PostgreSQL and Redis.
/// </summary>
public sealed class ChatNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ChatNode(WebApplication app, Uri httpBase)
    {
        _app = app;
        HttpBase = httpBase;
        WsBase = new Uri($"ws://{httpBase.Authority}");
    }

    public Uri HttpBase { get; }

    public Uri WsBase { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a node on the shared test database unless <paramref name="postgres"/> names another;
    /// <paramref name="configure"/> may add test-only services, e.g. an <c>IStartupFilter</c>.
    /// </summary>
    public static async Task<ChatNode> StartAsync(IDictionary<string, string?>? settings = null, string? postgres = null,
        ILoggerProvider? logs = null, Action<WebApplicationBuilder>? configure = null)
    {
        var app = Build(await DefaultSettingsAsync(settings, postgres), logs, configure);
        await ChatServer.StartAsync(app);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        return new ChatNode(app, new Uri(address));
    }

    /// <summary>A node built but not started, for tests of start-up itself.</summary>
    public static WebApplication Build(IDictionary<string, string?> settings, ILoggerProvider? logs = null,
        Action<WebApplicationBuilder>? configure = null) =>
        ChatServer.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }

            configure?.Invoke(builder);
        });

    public static async Task<Dictionary<string, string?>> DefaultSettingsAsync(
        IDictionary<string, string?>? overrides = null, string? postgres = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["ConnectionStrings:Postgres"] = postgres ?? await SharedDatabase.GetAsync(),
            ["ConnectionStrings:Redis"] = TestServers.Redis.ConnectionString,
            ["Jwt:Secret"] = TestTokens.Secret,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public Uri Chat(string pathAndQuery = "/ws/chat") => new(WsBase, pathAndQuery);

    /// <summary>Connects to <c>/ws/chat?token=…</c> (plus <paramref name="query"/>) as a new client.</summary>
    public Task<ChatClient> ConnectAsync(string token, string query = "", string path = "/ws/chat") =>
        ChatClient.ConnectAsync(Chat($"{path}?token={Uri.EscapeDataString(token)}{query}"));

    public HttpClient Http() => new() { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(30) };

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
