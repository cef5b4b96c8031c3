using System.Globalization;

namespace RawChat.Tests.Support;

/// <summary>What a process holds in memory, as the kernel sees it.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size (VmRSS) of process <paramref name="pid"/>, in MiB.</summary>
    public static double RssMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kib / 1024.0;
    }
}
