using VerifyDotnet;

// dotnet run --project examples/VerifyDotnet -- <baseUrl> <appId> <token>: prints the open id and exits 0 when valid.
if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: VerifyDotnet <baseUrl> <appId> <token>").ConfigureAwait(false);
    return 2;
}

using var http = new HttpClient();
using var verifier = new TianmuTokenVerifier(http, new Uri(args[0]), args[1]);
var openId = await verifier.VerifyAsync(args[2]).ConfigureAwait(false);
if (openId is null)
{
    await Console.Error.WriteLineAsync("invalid").ConfigureAwait(false);
    return 1;
}

Console.WriteLine($"valid: sub={openId}");
return 0;
