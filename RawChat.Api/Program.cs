using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Api;
using RawChat.Api.Commands;

if (args.Length > 0 && args[0] == "token")
{
    var configuration = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
    return DevTokenCommand.Run(args[1..], configuration, Console.Out, Console.Error);
}

try
{
    var app = ChatServer.Build(args);
    await ChatServer.StartAsync(app);
    await app.WaitForShutdownAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"RawChat: configuration error: {string.Join("; ", e.Failures)}");
    return 1;
}
catch (NpgsqlException e)
{
    Console.Error.WriteLine($"RawChat: cannot use PostgreSQL (ConnectionStrings:Postgres): {e.Message}");
    return 1;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"RawChat: cannot listen: {e.Message}");
    return 1;
}
