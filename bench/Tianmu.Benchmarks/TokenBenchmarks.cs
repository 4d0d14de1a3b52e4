using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Tokens;

namespace Tianmu.Benchmarks;

/// <summary>The token of every login (issue) and of every updateUserInfo (validate), through the app's own <see cref="TokenService"/>.</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private TokenService _tokens = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        var apps = new AppRegistry([new(Payloads.AppId, "benchmark-secret"), new("wxanotherapp000001", "other-secret")]);
        _tokens = new TokenService(
            Options.Create(new JwtOptions { SigningKey = "benchmark-signing-key-of-at-least-32-bytes!", Issuer = "tianmu" }),
            apps,
            TimeProvider.System);
        _token = _tokens.Issue(Payloads.AppId, Payloads.OpenId);
        if (_tokens.ValidateAsync(_token).GetAwaiter().GetResult() is not { OpenId: Payloads.OpenId })
        {
            throw new InvalidOperationException("The issued token does not validate.");
        }
    }

    [Benchmark(Description = "Issue token")]
    public string Issue() => _tokens.Issue(Payloads.AppId, Payloads.OpenId);

    [Benchmark(Description = "Validate token")]
    public async Task<TokenSubject?> Validate() => await _tokens.ValidateAsync(_token).ConfigureAwait(false);
}
