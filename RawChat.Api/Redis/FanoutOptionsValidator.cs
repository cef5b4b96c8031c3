using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;

namespace RawChat.Api.Redis;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="FanoutOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class FanoutOptionsValidator : IValidateOptions<FanoutOptions>;
