using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tools.Tests.Bget;

/// <summary>A control endpoint on 127.0.0.1 that answers every request with one canned status and JSON body.</summary>
internal sealed class FakeControlEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeControlEndpoint(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public int Status { get; set; } = 200;

    public string Body { get; set; } = "{}";

    public List<(string Method, string PathAndQuery, string Body)> Requests { get; } = [];

    public string Node => $"127.0.0.1:{Port}";

    public static async Task<FakeControlEndpoint> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var fake = new FakeControlEndpoint(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.Port = new Uri(app.Urls.First()).Port;
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        string body = await reader.ReadToEndAsync();
        lock (Requests)
        {
            Requests.Add((context.Request.Method, context.Request.Path + context.Request.QueryString, body));
        }
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
