using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;

namespace RawChat.Api.Sockets;

/// <summary>
/// Every open socket on this node: admission against the node and per-user limits, and the
/// 1001 <c>going_away</c> close for all of them when the node shuts down.
/// </summary>
internal sealed class OpenSockets
{
    private readonly ConcurrentDictionary<string, ChatConnection> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private readonly ChatOptions _options;
    private int _count;

    public OpenSockets(IOptions<ChatOptions> options, IHostApplicationLifetime lifetime)
    {
        _options = options.Value;
        lifetime.ApplicationStopping.Register(CloseAll);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Reserves a place for a user's new socket; false when the node or the user is full.</summary>
    public bool TryAdmit(string userId)
    {
        if (Interlocked.Increment(ref _count) > _options.MaxConnectionsPerNode)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        var admitted = true;
        _perUser.AddOrUpdate(userId, 1, (_, n) =>
        {
            admitted = n < _options.MaxConnectionsPerUser;
            return admitted ? n + 1 : n;
        });
        if (!admitted)
        {
            Interlocked.Decrement(ref _count);
        }

        return admitted;
    }

    /// <summary>Gives back a place reserved with <see cref="TryAdmit"/>.</summary>
    public void Release(string userId)
    {
        Interlocked.Decrement(ref _count);
        _perUser.AddOrUpdate(userId, 0, (_, n) => n - 1);
        _perUser.TryRemove(new KeyValuePair<string, int>(userId, 0));
    }

    public void Add(ChatConnection connection) => _open[connection.Id] = connection;

    public void Remove(ChatConnection connection) => _open.TryRemove(connection.Id, out _);

    private void CloseAll()
    {
        foreach (var connection in _open.Values)
        {
            connection.Outbox.RequestClose(CloseReason.GoingAway);
        }
    }
}
