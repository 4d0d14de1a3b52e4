using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests;

/// <summary>Requests the tests send beyond <see cref="AppUnderTest"/>'s own helpers.</summary>
public static class AppRequests
{
    /// <summary>Posts updateUserInfo with a token and remembers its encryptedData as a secret.</summary>
    public static Task<HttpResponseMessage> UpdateUserInfoAsync(this AppUnderTest app, string body, string? token)
    {
        SecretsWitness.NoteSealedBody(body);
        return app.PostAsync("/api/updateUserInfo", body, token);
    }

    /// <summary>Sends raw bytes on a fresh connection and reads the first answer (or null when the server closes without one).</summary>
    public static async Task<string?> SendRawAsync(this AppUnderTest app, byte[] request, TimeSpan wait, bool closeAfterSending = false)
    {
        var address = app.Client.BaseAddress!;
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        if (closeAfterSending)
        {
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            client.Close();
            return null;
        }

        var received = new MemoryStream();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
        }

        var text = received.Length == 0 ? null : Encoding.UTF8.GetString(received.ToArray());
        if (text is not null)
        {
            app.Transcript.Enqueue(text);
        }

        return text;
    }

    public static string JsonString(string value) => JsonSerializer.Serialize(value);
}

/// <summary>Records every request the app sends to Table Storage: method and decoded path with query.</summary>
public sealed class StorageSpy
{
    public ConcurrentQueue<string> Requests { get; } = new();

    public TableClient CreateTableClient(string connectionString, string table)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(new RecordingPolicy(this), HttpPipelinePosition.PerCall);
        return new TableClient(connectionString, table, options);
    }

    public int Count => Requests.Count;

    /// <summary>When set and it answers a status for a request ("METHOD /path?query"), that request fails with that status instead of being sent.</summary>
    public Func<string, int?>? Fail { get; set; }

    /// <summary>Requests that write (anything but GET).</summary>
    public int Writes => Requests.Count(r => !r.StartsWith("GET ", StringComparison.Ordinal));

    private sealed class RecordingPolicy(StorageSpy spy) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var uri = message.Request.Uri.ToUri();
            var line = message.Request.Method + " " + Uri.UnescapeDataString(uri.PathAndQuery);
            spy.Requests.Enqueue(line);
            if (spy.Fail?.Invoke(line) is { } status)
            {
                throw new Azure.RequestFailedException(status, "injected by the test", status == 400 ? "PropertyValueTooLarge" : "ServerBusy", null);
            }
        }
    }
}
