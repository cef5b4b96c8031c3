using Microsoft.Extensions.DependencyInjection.Extensions;
using RawChat.Api.Sockets;
using RawChat.Core.Auth;
using RawChat.Core.Chat;

namespace RawChat.Api.Chat;

internal static class ChatServiceExtensions
{
    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System); // tests put a clock of their own first
        builder.Services.AddSingleton<TokenValidator>();
        builder.Services.AddSingleton<MessagePoster>();
        builder.Services.AddSingleton<RoomJoiner>();
        builder.Services.AddSingleton<FrameHandler>();
        builder.Services.AddSingleton<OpenSockets>();
        builder.Services.AddSingleton<ConnectCredentials>();
        builder.Services.AddSingleton<HandshakeValidator>();
        return builder;
    }
}
