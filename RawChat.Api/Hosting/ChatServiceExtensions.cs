using Microsoft.Extensions.DependencyInjection.Extensions;
using RawChat.Api.Sockets;
using RawChat.Core.Auth;
using RawChat.Core.Chat;

namespace RawChat.Api.Hosting;

internal static class ChatServiceExtensions
{
    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System); // tests put a clock of their own first
        builder.Services.AddSingleton<TokenValidator>();
        builder.Services.AddSingleton<MessagePoster>();
        builder.Services.AddSingleton<RoomJoiner>();
        builder.Services.AddSingleton<FrameHandler>();
        builder.Services.AddSingleton<ConnectionTracker>();
        builder.Services.AddSingleton<HandshakeValidator>();
        return builder;
    }

    /// <summary>
    /// Request logging would print URLs, and URLs may carry <c>?token=</c>: keep ASP.NET's
    /// per-request log lines off whatever the configuration says.
    /// </summary>
    public static WebApplicationBuilder AddSafeLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Warning);
        // Npgsql logs every SQL statement at Information; keep its warnings and errors only.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        return builder;
    }
}
