using Microsoft.Extensions.Options;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="QuotaOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class QuotaOptionsValidator : IValidateOptions<QuotaOptions>;
