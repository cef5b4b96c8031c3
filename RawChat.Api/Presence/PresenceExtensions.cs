using RawChat.Core.Chat;
using RawChat.Core.Presence;

namespace RawChat.Api.Presence;

internal static class PresenceExtensions
{
    /// <summary>Who is online (in Redis, with expiry), presence events and typing; the heartbeat that keeps it fresh.</summary>
    public static WebApplicationBuilder AddPresence(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PresenceStore>();
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<PresenceRequests>();
        builder.Services.AddHostedService<PresenceHeartbeat>();
        return builder;
    }
}
