using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace RawChat.Api.Hosting;

internal static class TransportExtensions
{
    /// <summary>
    /// <c>Server:InlineScheduling</c>: Kestrel runs socket completions and the code after them on
    /// its I/O threads instead of hopping to the thread pool (Kestrel's UnsafePreferInlineScheduling).
    /// </summary>
    public static WebApplicationBuilder AddTransport(this WebApplicationBuilder builder)
    {
        var inline = builder.Configuration.GetValue("Server:InlineScheduling", false);
        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = inline);
        return builder;
    }
}
