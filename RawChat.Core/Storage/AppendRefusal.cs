namespace RawChat.Core.Storage;

/// <summary>Why a post was not stored.</summary>
public enum AppendRefusal
{
    /// <summary>Storage could not take it (down, hung, too slow): not stored; the client may retry.</summary>
    Unavailable,

    /// <summary>PostgreSQL refused this post's own data; a retry would be refused again.</summary>
    Invalid,
}

/// <summary>The refusal of an awaited post (<see cref="GroupCommitWriter.AppendAsync"/>).</summary>
public sealed class AppendRefusedException(AppendRefusal refusal)
    : Exception(refusal == AppendRefusal.Invalid ? "PostgreSQL refused the post's data" : "storage could not take the post")
{
    public AppendRefusal Refusal { get; } = refusal;
}
