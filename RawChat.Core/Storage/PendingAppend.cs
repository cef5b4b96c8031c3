using System.Diagnostics;

namespace RawChat.Core.Storage;

/// <summary>
/// A post handed to the <see cref="GroupCommitWriter"/>, answered exactly once: stored (or found
/// stored already: a duplicate), or refused. The answer runs on the writer's own thread, so it
/// must be quick and never block: queue bytes for a socket, hand work on, complete a task.
/// </summary>
public abstract class PendingAppend(NewMessage message)
{
    private int _answered;

    public NewMessage Message { get; } = message;

    /// <summary>When the post was handed over (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long SubmittedAt { get; internal set; }

    /// <summary>The post's receive activity, when something traces (<see cref="Observability.ChatActivities"/>); ended by its answer.</summary>
    public Activity? Trace { get; internal set; }

    /// <summary>Later posts of the same clientMsgId in the same batch: answered as its duplicates.</summary>
    internal List<PendingAppend>? Echoes { get; set; }

    /// <summary>The post's row is committed (or an earlier post's, when <see cref="AppendResult.Duplicate"/>).</summary>
    protected abstract void OnStored(AppendResult result);

    /// <summary>The post was not stored and never will be from this attempt.</summary>
    protected abstract void OnRefused(AppendRefusal refusal);

    internal void Complete(AppendResult result)
    {
        if (Interlocked.Exchange(ref _answered, 1) == 0)
        {
            OnStored(result);
        }

        foreach (var echo in Echoes ?? [])
        {
            echo.Complete(result with { Duplicate = true });
        }
    }

    internal void Refuse(AppendRefusal refusal)
    {
        if (Interlocked.Exchange(ref _answered, 1) == 0)
        {
            OnRefused(refusal);
        }

        foreach (var echo in Echoes ?? [])
        {
            echo.Refuse(refusal);
        }
    }
}
