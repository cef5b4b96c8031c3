using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;

namespace RawChat.Tests.Support;

/// <summary>
/// Added to a node as an <see cref="IStartupFilter"/>: holds the node's own TCP socket of each
/// <c>/ws/…</c> request by path, so a test can make the node reset that connection.
/// </summary>
public sealed class NodeSockets : IStartupFilter
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Socket>> _byPath = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Path.StartsWithSegments("/ws") && context.Features.Get<IConnectionSocketFeature>() is { } feature)
            {
                For(context.Request.Path.Value!).TrySetResult(feature.Socket);
            }

            await nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>The node's socket of the request for <paramref name="path"/>, once it has arrived.</summary>
    public Task<Socket> WaitForAsync(string path) => For(path).Task.WaitAsync(ChatClient.DefaultTimeout);

    private TaskCompletionSource<Socket> For(string path) =>
        _byPath.GetOrAdd(path, _ => new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously));
}
