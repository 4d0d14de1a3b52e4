using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Benchmarks;

/// <summary>updateUserInfo's CPU work: decrypt + parse + watermark check, and the rawData signature, against the SDK baseline.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CryptoBenchmarks
{
    private readonly string _encryptedData = Payloads.EncryptedData;
    private readonly string _signature = Payloads.Signature;

    [GlobalSetup]
    public void CheckBothAgree()
    {
        var naive = NaiveWeChatCrypto.DecryptUserInfo(_encryptedData, Payloads.Iv, Payloads.SessionKey, Payloads.AppId);
        var tianmu = WeChatDataCrypto.DecryptUserInfo(_encryptedData, Payloads.Iv, Payloads.SessionKey, Payloads.AppId);
        if (naive.NickName != tianmu.NickName || naive.City != tianmu.City || naive.AvatarUrl != tianmu.AvatarUrl
            || !NaiveWeChatCrypto.VerifySignature(Payloads.RawData, Payloads.SessionKey, _signature)
            || !WeChatDataCrypto.VerifySignature(Payloads.RawData, Payloads.SessionKey, _signature))
        {
            throw new InvalidOperationException("The baseline and Tianmu disagree on the payload.");
        }
    }

    [Benchmark(Baseline = true, Description = "SDK-style decrypt")]
    [BenchmarkCategory("Decrypt user info")]
    public object Decrypt_Naive() =>
        NaiveWeChatCrypto.DecryptUserInfo(_encryptedData, Payloads.Iv, Payloads.SessionKey, Payloads.AppId);

    [Benchmark(Description = "Tianmu decrypt")]
    [BenchmarkCategory("Decrypt user info")]
    public object Decrypt_Tianmu() =>
        WeChatDataCrypto.DecryptUserInfo(_encryptedData, Payloads.Iv, Payloads.SessionKey, Payloads.AppId);

    [Benchmark(Baseline = true, Description = "SDK-style signature")]
    [BenchmarkCategory("Verify signature")]
    public bool Signature_Naive() =>
        NaiveWeChatCrypto.VerifySignature(Payloads.RawData, Payloads.SessionKey, _signature);

    [Benchmark(Description = "Tianmu signature")]
    [BenchmarkCategory("Verify signature")]
    public bool Signature_Tianmu() =>
        WeChatDataCrypto.VerifySignature(Payloads.RawData, Payloads.SessionKey, _signature);

    [Benchmark(Baseline = true, Description = "SDK-style decrypt + signature")]
    [BenchmarkCategory("updateUserInfo crypto")]
    public bool Both_Naive() =>
        NaiveWeChatCrypto.DecryptUserInfo(_encryptedData, Payloads.Iv, Payloads.SessionKey, Payloads.AppId) is not null
        && NaiveWeChatCrypto.VerifySignature(Payloads.RawData, Payloads.SessionKey, _signature);

    [Benchmark(Description = "Tianmu decrypt + signature")]
    [BenchmarkCategory("updateUserInfo crypto")]
    public bool Both_Tianmu() =>
        WeChatDataCrypto.DecryptUserInfo(_encryptedData, Payloads.Iv, Payloads.SessionKey, Payloads.AppId) is not null
        && WeChatDataCrypto.VerifySignature(Payloads.RawData, Payloads.SessionKey, _signature);
}
