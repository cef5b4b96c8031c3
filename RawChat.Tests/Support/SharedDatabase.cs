namespace RawChat.Tests.Support;

/// <summary>
/// One database for the tests that share it (each uses its own room names); made on first use.
/// Tests that need an empty database ask <c>TestServers.Postgres.CreateDatabaseAsync()</c> instead.
/// </summary>
public static class SharedDatabase
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _connectionString;

    public static async Task<string> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _connectionString ??= await TestServers.Postgres.CreateDatabaseAsync();
        }
        finally
        {
            Gate.Release();
        }
    }
}
