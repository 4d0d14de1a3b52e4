using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Benchmarks;

/// <summary>
/// The token of every login (issue) and of every Bearer request (validate), through the app's own ES256
/// <see cref="TokenService"/>; beside it, in the same run, the first release's HS256 issue and validation with the same
/// handler and claims, so that the two can be compared on one machine state.
/// </summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private static readonly ProfileEntity Profile = new()
    {
        AppId = Payloads.AppId,
        OpenId = Payloads.OpenId,
        Pid = "0123456789abcdef0123456789abcdef",
        SecurityStamp = ProfileRules.NewSecurityStamp(),
    };

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private TokenService _tokens = null!;
    private TokenService _cachedTokens = null!;
    private string _token = null!;
    private SigningCredentials _hs256 = null!;
    private TokenValidationParameters _hs256Validation = null!;
    private string _hs256Token = null!;

    [GlobalSetup]
    public void Setup()
    {
        var apps = new AppRegistry([new(Payloads.AppId, "benchmark-secret"), new("wxanotherapp000001", "other-secret")]);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = Options.Create(new JwtOptions { PrivateKey = key.ExportPkcs8PrivateKeyPem(), Issuer = "tianmu" });
        var keys = new SigningKeys(options, new BenchmarkEnvironment(), NullLogger<SigningKeys>.Instance);
        _tokens = new TokenService(options, keys, apps, TimeProvider.System);
        _cachedTokens = new TokenService(options, keys, apps, TimeProvider.System, new VerifiedTokenCache());
        _token = _tokens.Issue(Profile, DateTimeOffset.UtcNow).Jwt;
        if (_tokens.ValidateAsync(_token).GetAwaiter().GetResult() is not { OpenId: Payloads.OpenId })
        {
            throw new InvalidOperationException("The issued token does not validate.");
        }

        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("benchmark-signing-key-of-at-least-32-bytes!"));
        _hs256 = new SigningCredentials(secret, SecurityAlgorithms.HmacSha256);
        _hs256Validation = new TokenValidationParameters
        {
            ValidIssuer = "tianmu",
            ValidAudiences = [.. apps.AppIds],
            IssuerSigningKey = secret,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        _hs256Token = IssueHs256();
        if (!_handler.ValidateTokenAsync(_hs256Token, _hs256Validation).GetAwaiter().GetResult().IsValid)
        {
            throw new InvalidOperationException("The HS256 token does not validate.");
        }
    }

    [Benchmark(Description = "Issue token (ES256)")]
    public string Issue() => _tokens.Issue(Profile, DateTimeOffset.UtcNow).Jwt;

    [Benchmark(Description = "Validate token (ES256)")]
    public async Task<TokenSubject?> Validate() => await _tokens.ValidateAsync(_token).ConfigureAwait(false);

    [Benchmark(Description = "Validate token (ES256, recurring: verified-token cache hit)")]
    public async Task<TokenSubject?> ValidateRecurring() => await _cachedTokens.ValidateAsync(_token).ConfigureAwait(false);

    [Benchmark(Description = "Issue token (HS256, first release)")]
    public string IssueHs256()
    {
        var now = DateTime.UtcNow;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tianmu",
            Audience = Payloads.AppId,
            Subject = new ClaimsIdentity([new Claim("sub", Payloads.OpenId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(2),
            SigningCredentials = _hs256,
        });
    }

    [Benchmark(Description = "Validate token (HS256, first release)")]
    public async Task<bool> ValidateHs256() => (await _handler.ValidateTokenAsync(_hs256Token, _hs256Validation).ConfigureAwait(false)).IsValid;

    private sealed class BenchmarkEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "Tianmu.Benchmarks";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
