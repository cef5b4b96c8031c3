using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RawChat.Core.Chat;

namespace RawChat.Api.Sockets;

internal static class ChatSocketExtensions
{
    /// <summary>WebSocket support with protocol-level keep-alive, then the chat endpoint at <paramref name="path"/>.</summary>
    public static WebApplication UseChatSocket(this WebApplication app, string path)
    {
        var options = app.Services.GetRequiredService<IOptions<ChatOptions>>().Value;
        var webSockets = new WebSocketOptions();
        if (options.KeepAliveSeconds > 0)
        {
            webSockets.KeepAliveInterval = TimeSpan.FromSeconds(options.KeepAliveSeconds);
            webSockets.KeepAliveTimeout = TimeSpan.FromSeconds(options.KeepAliveSeconds);
        }

        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new CoalescingUpgradeFeature(upgrade));
            }

            return next(context);
        });
        app.UseWebSockets(webSockets);
        app.UseMiddleware<ChatSocketMiddleware>(new PathString(path));
        return app;
    }
}
