namespace RawChat.Core.Auth;

/// <summary>
/// The token's <c>rooms</c> claim: exact names, or prefixes written with a trailing <c>*</c>.
/// A token without the claim may use every room.
/// </summary>
public sealed class RoomAccess
{
    public static readonly RoomAccess Unrestricted = new([]) { _unrestricted = true };

    private readonly string[] _entries;
    private bool _unrestricted;

    public RoomAccess(IEnumerable<string> entries) => _entries = [.. entries];

    /// <summary>The claim's entries; null for a token without the claim (every room).</summary>
    public IReadOnlyList<string>? Entries => _unrestricted ? null : _entries;

    public bool Allows(string room)
    {
        if (_unrestricted)
        {
            return true;
        }

        foreach (var entry in _entries)
        {
            if (entry.EndsWith('*')
                ? room.StartsWith(entry.AsSpan(0, entry.Length - 1), StringComparison.Ordinal)
                : string.Equals(entry, room, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
