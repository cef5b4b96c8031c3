namespace RawChat.Tests.Support;

/// <summary>Room names unique to one test, so tests sharing a database never see each other.</summary>
public static class Rooms
{
    public static string Unique(string prefix = "room") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(64, prefix.Length + 33)];
}
