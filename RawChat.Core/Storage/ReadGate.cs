using Microsoft.Extensions.Options;

namespace RawChat.Core.Storage;

/// <summary>
/// The one bound on reads from PostgreSQL: at most <see cref="StorageOptions.MaxConcurrentReads"/> at
/// once, on connections of their own, so readers can never take the writers' connections or
/// crowd out their CPU. Clients' reads wait a short while and are then refused; the node's own
/// reads (replays, gap fills) wait their turn.
/// </summary>
public sealed class ReadGate(IOptions<StorageOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentReads);
    private readonly TimeSpan _clientWait = TimeSpan.FromMilliseconds(options.Value.ReadQueueTimeoutMilliseconds);

    /// <summary>Waits for a slot however long it takes.</summary>
    public async ValueTask<Slot> WaitAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        return new Slot(_slots);
    }

    /// <summary>Waits a short while for a slot; throws <see cref="ReadsBusyException"/> when none came free.</summary>
    public async ValueTask<Slot> EnterOrRefuseAsync(CancellationToken ct)
    {
        if (!await _slots.WaitAsync(_clientWait, ct).ConfigureAwait(false))
        {
            throw new ReadsBusyException();
        }

        return new Slot(_slots);
    }

    /// <summary>Takes a slot as <paramref name="admission"/> says: waiting its turn, or refused when busy.</summary>
    public ValueTask<Slot> EnterAsync(ReadAdmission admission, CancellationToken ct) =>
        admission == ReadAdmission.WaitTurn ? WaitAsync(ct) : EnterOrRefuseAsync(ct);

    public readonly struct Slot(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}

/// <summary>Every read slot stayed taken: the client is told to retry later (HTTP 429, <c>rate_limited</c>).</summary>
public sealed class ReadsBusyException() : Exception("too many reads at once; retry later");
