using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;

namespace Tianmu.LocalHost.Hosting;

/// <summary>One HTTP function as its attributes declare it.</summary>
public sealed record FunctionRoute(string Name, string Route, IReadOnlyList<string> Methods, MethodInfo Method);

/// <summary>
/// Serves the Functions app's HTTP functions on Kestrel, read from their own <c>[Function]</c> and
/// <c>[HttpTrigger]</c> attributes, so that a new function needs no second registration.
/// </summary>
public static class FunctionRoutes
{
    /// <summary>Every HTTP-triggered function of an assembly.</summary>
    public static IReadOnlyList<FunctionRoute> Discover(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var routes = new List<FunctionRoute>();
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
                if (function is null || trigger is null)
                {
                    continue;
                }

                var methods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray();
                routes.Add(new FunctionRoute(function.Name, trigger.Route ?? function.Name, methods, method));
            }
        }

        return routes.OrderBy(r => r.Route, StringComparer.Ordinal).ToList();
    }

    /// <summary>The route prefix of <c>host.json</c> (<c>extensions.http.routePrefix</c>), <c>api</c> by default.</summary>
    public static string RoutePrefix(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return "api";
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(hostJsonPath));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
               && extensions.TryGetProperty("http", out var http)
               && http.TryGetProperty("routePrefix", out var prefix)
               && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!.Trim('/')
            : "api";
    }

    /// <summary>Maps each function's route; a method the function does not serve gets 405 with <c>Allow</c>.</summary>
    public static IEndpointRouteBuilder MapFunctions(this IEndpointRouteBuilder endpoints, IReadOnlyList<FunctionRoute> routes, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var route in routes)
        {
            var invoke = CreateInvoker(route.Method);
            var allow = string.Join(", ", route.Methods);
            var pattern = routePrefix.Length == 0 ? route.Route : routePrefix + "/" + route.Route;
            endpoints.Map(pattern, async context =>
            {
                IResult result = route.Methods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase)
                    ? await invoke(context).ConfigureAwait(false)
                    : new ProblemResult(ApiErrorCode.MethodNotAllowed, $"This route serves {allow}.", allow);
                await result.ExecuteAsync(context).ConfigureAwait(false);
            }).WithDisplayName(route.Name);
        }

        return endpoints;
    }

    // Binds the parameters the Functions worker would: the HttpRequest, the invocation's CancellationToken and string
    // route parameters by name ({appId} to `string appId`).
    private static Func<HttpContext, Task<IResult>> CreateInvoker(MethodInfo method)
    {
        var parameters = method.GetParameters();
        foreach (var parameter in parameters)
        {
            if (parameter.ParameterType != typeof(HttpRequest) && parameter.ParameterType != typeof(CancellationToken) && parameter.ParameterType != typeof(string))
            {
                throw new NotSupportedException($"The local host cannot bind parameter '{parameter.Name}' of function {method.DeclaringType?.Name}.{method.Name}.");
            }
        }

        return async context =>
        {
            var target = method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(context.RequestServices, method.DeclaringType!);
            var arguments = parameters.Select(p =>
                p.ParameterType == typeof(HttpRequest) ? (object)context.Request
                : p.ParameterType == typeof(string) ? context.Request.RouteValues[p.Name!]?.ToString() ?? string.Empty
                : context.RequestAborted).ToArray();
            return method.Invoke(target, arguments) switch
            {
                Task<IResult> pending => await pending.ConfigureAwait(false),
                IResult done => done,
                var other => throw new NotSupportedException($"Function {method.Name} returned {other?.GetType().Name}; the local host serves IResult."),
            };
        };
    }
}
