namespace RawChat.Core.Protocol;

/// <summary>Room names: <c>^[A-Za-z0-9_.:-]{1,64}$</c>, case-sensitive (docs/protocol.md §1).</summary>
public static class RoomName
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')
                or '_' or '.' or ':' or '-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
