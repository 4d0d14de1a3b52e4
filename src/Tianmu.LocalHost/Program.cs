using Tianmu.Functions;
using Tianmu.Functions.Login;
using Tianmu.LocalHost.Hosting;
using Tianmu.LocalHost.Simulator;

// --simulate-wechat is a switch without a value: keep it away from the command-line configuration parser.
var (hostArgs, simulate) = LocalHostSetup.ReadSwitches(args);
var builder = WebApplication.CreateBuilder(hostArgs);
var local = LocalHostSetup.Configure(builder, simulate);
builder.Services.AddTianmu(builder.Configuration, builder.Environment);
builder.Services.AddWeChatSimulator(builder.Configuration);

var app = builder.Build();
local.Attach(app);
app.UseExceptionHandler(error => error.Run(context =>
{
    // A bug, never a contract answer: no stack trace or message reaches the client.
    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
    return Task.CompletedTask;
}));
var routes = FunctionRoutes.Discover(typeof(LoginFunction).Assembly);
app.MapFunctions(routes, FunctionRoutes.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json")));
if (local.SimulateWeChat)
{
    app.MapWeChatSimulator();
}

app.Run();
