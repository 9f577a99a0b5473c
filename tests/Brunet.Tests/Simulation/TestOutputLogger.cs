using Microsoft.Extensions.Logging;

namespace Brunet.Tests.Simulation;

/// <summary>Writes log lines to the test's output, for diagnosing a failing simulated run.</summary>
internal sealed class TestOutputLogger(string name, Func<TimeSpan> clock) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        TestContext.Out.WriteLine($"{clock().TotalSeconds,8:F3} {name} {formatter(state, exception)}");
}
