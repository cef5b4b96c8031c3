using Microsoft.Extensions.Options;
using RawChat.Core.Storage;

namespace RawChat.Api.Storage;

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.MaxBatchSize is < 1 or > 10_000
            ? ValidateOptionsResult.Fail("Storage:MaxBatchSize must be between 1 and 10000")
            : options.Writers is < 1 or > 64
                ? ValidateOptionsResult.Fail("Storage:Writers must be between 1 and 64")
            : options.QueueTimeoutMilliseconds is < 10 or > 600_000
                ? ValidateOptionsResult.Fail("Storage:QueueTimeoutMilliseconds must be between 10 and 600000")
            : options.CommandTimeoutMilliseconds is < 100 or > 600_000
                ? ValidateOptionsResult.Fail("Storage:CommandTimeoutMilliseconds must be between 100 and 600000")
            : options.MaxConcurrentReads is < 1 or > 1000
                ? ValidateOptionsResult.Fail("Storage:MaxConcurrentReads must be between 1 and 1000")
            : options.ReadQueueTimeoutMilliseconds is < 0 or > 600_000
                ? ValidateOptionsResult.Fail("Storage:ReadQueueTimeoutMilliseconds must be between 0 and 600000")
            : ValidateOptionsResult.Success;
}
