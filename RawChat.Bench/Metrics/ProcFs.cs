using System.Globalization;

namespace RawChat.Bench.Metrics;

/// <summary>A process's resident memory and CPU time so far, from /proc (Linux).</summary>
internal sealed record ProcessSample(int Pid, bool Alive, long RssKiB, double CpuSeconds, int Processes)
{
    public static ProcessSample Gone(int pid) => new(pid, false, 0, 0, 0);
}

/// <summary>Busy and total jiffies of the whole machine, from /proc/stat.</summary>
internal sealed record MachineSample(long BusyTicks, long TotalTicks);

/// <summary>Reads /proc: VmRSS from /proc/PID/status, utime+stime from /proc/PID/stat.</summary>
internal static class ProcFs
{
    private const ulong AtClockTick = 17;

    public static double ClockTicksPerSecond { get; } = ReadClockTicks();

    public static ProcessSample Sample(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
        {
            return ProcessSample.Gone(pid);
        }

        return new ProcessSample(pid, true, ReadRssKiB(pid), (stat.Value.UTime + stat.Value.STime) / ClockTicksPerSecond, 1);
    }

    /// <summary>
    /// The process and its direct children (PostgreSQL's backends are children of the postmaster).
    /// The root also counts the CPU of children that ended and were waited for (cutime+cstime).
    /// </summary>
    public static ProcessSample SampleWithChildren(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
        {
            return ProcessSample.Gone(pid);
        }

        var rss = ReadRssKiB(pid);
        var ticks = stat.Value.UTime + stat.Value.STime + stat.Value.CUTime + stat.Value.CSTime;
        var count = 1;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                || child == pid || ReadStat(child) is not { } childStat || childStat.ParentPid != pid)
            {
                continue;
            }

            rss += ReadRssKiB(child);
            ticks += childStat.UTime + childStat.STime;
            count++;
        }

        return new ProcessSample(pid, true, rss, ticks / ClockTicksPerSecond, count);
    }

    public static MachineSample Machine()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = ticks[3] + ticks[4];
            return new MachineSample(ticks.Sum() - idle, ticks.Sum());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return new MachineSample(0, 0);
        }
    }

    public static string CpuModel() => FirstValue("/proc/cpuinfo", "model name") ?? "unknown";

    public static long MemoryMiB() =>
        long.TryParse(FirstValue("/proc/meminfo", "MemTotal")?.TrimEnd('k', 'B', ' '), CultureInfo.InvariantCulture, out var kib)
            ? kib / 1024 : 0;

    private static string? FirstValue(string path, string key)
    {
        try
        {
            return File.ReadLines(path)
                .Where(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (int ParentPid, long UTime, long STime, long CUTime, long CSTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture),
            long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[13], CultureInfo.InvariantCulture),
            long.Parse(fields[14], CultureInfo.InvariantCulture));
    }

    private static long ReadRssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process ended meanwhile.
        }

        return 0;
    }

    /// <summary>USER_HZ from the auxiliary vector (AT_CLKTCK); 100 on every common Linux.</summary>
    private static double ReadClockTicks()
    {
        try
        {
            var auxv = File.ReadAllBytes("/proc/self/auxv");
            for (var i = 0; i + 16 <= auxv.Length; i += 16)
            {
                if (BitConverter.ToUInt64(auxv, i) == AtClockTick)
                {
                    return BitConverter.ToUInt64(auxv, i + 8);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is hidden: fall back to the usual value.
        }

        return 100;
    }
}
