using RawChat.Api.Chat;
using RawChat.Api.Hosting;
using RawChat.Api.Http;
using RawChat.Api.Logging;
using RawChat.Api.Observability;
using RawChat.Api.Presence;
using RawChat.Api.Quotas;
using RawChat.Api.Redis;
using RawChat.Api.Rooms;
using RawChat.Api.Sockets;
using RawChat.Api.Storage;
using RawChat.Api.Tickets;
using RawChat.Core.Storage;

namespace RawChat.Api;

/// <summary>
/// The composition root, shared by <c>Program</c> and the tests (which start real nodes on
/// free ports with their own configuration).
/// </summary>
public static class ChatServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The browser page ships beside the assembly (RawChat.Api.csproj copies wwwroot to the
        // output), so it is found whatever the working directory: dotnet run, the tests, Docker.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        configure?.Invoke(builder);
        builder.AddSafeLogging()
            .AddChatOptions()
            .AddPostgres()
            .AddRedisFanout()
            .AddPresence()
            .AddQuotas()
            .AddTickets()
            .AddChat()
            .AddRooms()
            .AddChatMetrics()
            .AddChatHealth()
            .AddApiDocument();

        MetricSources.AddTo(builder);

        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseChatSocket("/ws/chat");
        app.MapChatHealth();
        app.MapChatApi().MapRoomsApi();
        app.MapOpenApi(ApiDocument.Path);
        app.MapChatMetrics("/metrics");
        return app;
    }

    /// <summary>Checks the settings, brings the schema up to date, then starts listening.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken ct = default)
    {
        app.Services.ValidateChatOptions();
        app.Services.LogStartupWarnings();
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct).ConfigureAwait(false);
        await app.StartAsync(ct).ConfigureAwait(false);
    }
}
