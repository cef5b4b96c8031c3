using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Storage;

namespace RawChat.Api.Hosting;

internal static class StorageExtensions
{
    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var source = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Postgres);
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
        });
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddSingleton<GroupCommitWriter>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        return builder;
    }
}
