using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Api.Hosting;
using RawChat.Core.Storage;

namespace RawChat.Api.Storage;

internal static class StorageExtensions
{
    private const string ReadsKey = "reads";

    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder)
    {
        // Writers and readers have pools of their own: however many reads wait, a post never waits
        // for a connection. Reads are bounded by the ReadGate, and their pool by the same number.
        builder.Services.AddSingleton(sp => CreateDataSource(sp, maxPoolSize: null));
        builder.Services.AddKeyedSingleton(ReadsKey, (sp, _) =>
            CreateDataSource(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.MaxConcurrentReads + 2));
        builder.Services.AddSingleton<ReadGate>();
        builder.Services.AddSingleton(sp => new MessageStore(sp.GetRequiredKeyedService<NpgsqlDataSource>(ReadsKey),
            sp.GetRequiredService<ReadGate>(), sp.GetRequiredService<IOptions<StorageOptions>>()));
        builder.Services.AddSingleton<GroupCommitWriter>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        return builder;
    }

    private static NpgsqlDataSource CreateDataSource(IServiceProvider sp, int? maxPoolSize)
    {
        var source = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Postgres);
        if (maxPoolSize is { } size)
        {
            source.ConnectionStringBuilder.MaxPoolSize = size;
        }

        // A connection opened to a hung server waits out the connect timeout: keep it within the
        // command timeout, so abandoned opens (see Core/Storage/Deadline.cs) end soon too.
        var commandSeconds = (int)Math.Ceiling(sp.GetRequiredService<IOptions<StorageOptions>>().Value.CommandTimeoutMilliseconds / 1000.0);
        source.ConnectionStringBuilder.Timeout = Math.Min(source.ConnectionStringBuilder.Timeout, Math.Max(1, commandSeconds));

        // Prepare the few statements RawChat repeats (Npgsql's default is never to), unless
        // the connection string chose otherwise.
        if (source.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            source.ConnectionStringBuilder.MaxAutoPrepare = 16;
            source.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        // Plan each execution with its real parameters and the table's current size. A
        // generic plan cached while `messages` was small kept scanning the whole table for
        // the clientMsgId check as it grew: ingest fell from ~9,000 to ~5,000 posts/s within
        // a 10 s benchmark. Planning a batch costs ~0.3 ms of PostgreSQL CPU; prepared
        // statements still save the parse.
        var options = source.ConnectionStringBuilder.Options;
        if (options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            source.ConnectionStringBuilder.Options = $"{options} -c plan_cache_mode=force_custom_plan".Trim();
        }

        return source.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build();
    }
}
