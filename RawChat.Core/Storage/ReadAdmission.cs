namespace RawChat.Core.Storage;

/// <summary>How a read takes its place at the <see cref="ReadGate"/>.</summary>
public enum ReadAdmission
{
    /// <summary>Waits however long it takes (replays at connect, the node's own catch-up).</summary>
    WaitTurn,

    /// <summary>A client's request: refused with <see cref="ReadsBusyException"/> after a short wait.</summary>
    RefuseWhenBusy,
}
